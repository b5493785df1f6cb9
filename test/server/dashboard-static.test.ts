/**
 * The dashboard and GraphiQL as a browser loads them from a real server: hashed assets cached
 * for a year, any other path answered with index.html (no-cache), correct types, HEAD, no way
 * out of the dashboard directory (.. and its encodings), strict security headers on every
 * answer, a clear 503 when the dashboard is not built; GraphiQL with no third-party origin.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/server.js";

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
const INDEX = `<!doctype html><html><head><script type="module" src="/assets/app-abc123.js"></script></head><body>fake dashboard</body></html>`;

function expectSecurityHeaders(response: Response) {
  expect(response.headers.get("content-security-policy")).toBe(CSP);
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  expect(response.headers.get("referrer-policy")).toBe("no-referrer");
  expect(response.headers.get("x-frame-options")).toBe("DENY");
}

describe("the dashboard", () => {
  let server: TestServer;
  let origin: string;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "envplane-dashboard-"));
  const dist = path.join(root, "dist");
  beforeAll(async () => {
    fs.mkdirSync(path.join(dist, "assets"), { recursive: true });
    fs.writeFileSync(path.join(dist, "index.html"), INDEX);
    fs.writeFileSync(path.join(dist, "assets", "app-abc123.js"), "console.log('app');\n");
    fs.writeFileSync(path.join(dist, "assets", "app-abc123.css"), "body{color:red}\n");
    fs.writeFileSync(path.join(dist, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
    fs.writeFileSync(path.join(root, "secret.txt"), "SECRET-CANARY-8c1d");
    server = await startTestServer({ listen: true, config: { dashboardDir: dist } });
    origin = new URL(server.url).origin;
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("serves index.html at / and for any app path, not cached", async () => {
    for (const p of ["/", "/projects/shop/environments/preview", "/sign-in", "/settings/sessions?tab=1"]) {
      const r = await fetch(`${origin}${p}`);
      expect(r.status, p).toBe(200);
      expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(r.headers.get("cache-control")).toBe("no-cache");
      expectSecurityHeaders(r);
      expect(await r.text()).toBe(INDEX);
    }
  });

  it("serves hashed assets with their type, cached for a year; a missing asset is 404, not the page", async () => {
    const js = await fetch(`${origin}/assets/app-abc123.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expectSecurityHeaders(js);
    expect(await js.text()).toBe("console.log('app');\n");
    const css = await fetch(`${origin}/assets/app-abc123.css`);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    const svg = await fetch(`${origin}/favicon.svg`);
    expect(svg.headers.get("content-type")).toBe("image/svg+xml");
    expect(svg.headers.get("cache-control")).toBe("no-cache");
    const missing = await fetch(`${origin}/assets/app-000000.js`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).not.toContain("fake dashboard");
  });

  it("answers HEAD with the headers and no body", async () => {
    const r = await fetch(`${origin}/assets/app-abc123.js`, { method: "HEAD" });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-length")).toBe(String("console.log('app');\n".length));
    expect(r.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await r.text()).toBe("");
    const page = await fetch(`${origin}/anything`, { method: "HEAD" });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
  });

  it("never serves a file outside the dashboard directory", async () => {
    const { request } = await import("node:http");
    // Raw paths (fetch would normalize them): .., encoded dots and slashes, backslashes, NUL.
    const raw = (p: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${origin}/`, { path: p }, (res) => {
          let body = "";
          res.setEncoding("utf8").on("data", (d) => (body += d));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("error", reject);
        req.end();
      });
    for (const p of [
      "/../secret.txt",
      "/assets/../../secret.txt",
      "/%2e%2e/secret.txt",
      "/%2E%2E%2Fsecret.txt",
      "/assets/%2e%2e%2f%2e%2e%2fsecret.txt",
      "/..%5csecret.txt",
      "/%2e%2e%5c%2e%2e%5csecret.txt",
      "/index.html%00.js",
      "/%252e%252e/secret.txt",
      "/%",
    ]) {
      const r = await raw(p);
      expect(r.body, p).not.toContain("SECRET-CANARY-8c1d");
      expect([200, 400, 404], p).toContain(r.status);
    }
    // An encoded slash survives URL parsing: refused outright.
    expect((await raw("/%2E%2E%2Fsecret.txt")).status).toBe(400);
  });

  it("leaves the API's paths to the API", async () => {
    expect((await fetch(`${origin}/graphql`)).headers.get("content-type")).not.toMatch(/text\/html/);
    const auth = await fetch(`${origin}/auth/other`);
    expect(auth.status).toBe(404);
    expect((await auth.json()).error.code).toBe("NOT_FOUND");
    expect((await fetch(`${origin}/health`)).status).toBe(200);
  });

  it("answers 503 saying how to build the dashboard when it is not built", async () => {
    const other = await startTestServer({ listen: true, config: { dashboardDir: path.join(root, "missing") } });
    try {
      const r = await fetch(new URL(other.url).origin);
      expect(r.status).toBe(503);
      expectSecurityHeaders(r);
      expect(await r.text()).toMatch(/npm run build:dashboard/);
    } finally {
      await other.close();
    }
  });

  it("serves GraphiQL with no third-party origin, and its files from this server", async () => {
    const r = await fetch(server.url, { headers: { accept: "text/html" } });
    expect(r.status).toBe(200);
    const csp = r.headers.get("content-security-policy")!;
    expect(csp).toMatch(/script-src 'self';/);
    expect(csp).not.toMatch(/https?:|unsafe-eval|\*/);
    expect(r.headers.get("x-frame-options")).toBe("DENY");
    const html = await r.text();
    expect(html).toMatch(/GraphiQL/);
    expect(html).toContain("Bearer envp_");
    // No script runs inline: every <script> is a data block or has a src on this server.
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts)
      expect(/type="application\/json"/.test(attributes) || (/src="\//.test(attributes) && body === "")).toBe(true);
    expect(html.match(/https?:\/\/[^\s"'<>)]+/g) ?? []).toEqual([]);
    const files = [...html.matchAll(/(?:src|href)="(\/graphql\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(files).toHaveLength(2);
    for (const file of files) {
      const asset = await fetch(`${origin}${file}`);
      expect(asset.status, file).toBe(200);
      expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(asset.headers.get("content-type")).toMatch(file.endsWith(".js") ? /javascript/ : /text\/css/);
      const text = await asset.text();
      expect(text.length).toBeGreaterThan(1000);
      if (file.endsWith(".js")) {
        // The editor's workers come from this server too.
        const base = file.slice(0, file.lastIndexOf("/") + 1);
        for (const worker of ["editor.worker.js", "json.worker.js", "graphql.worker.js"]) {
          expect(text).toContain(worker);
          expect((await fetch(`${origin}${base}${worker}`)).status).toBe(200);
        }
      }
    }
    expect((await fetch(`${origin}/graphql/assets/nothing.js`)).status).toBe(404);
  });
});
