/**
 * The dashboard: the single-page app Vite builds into dashboard/dist, served at `/`. Hashed
 * files under /assets/ are cached for a year; any other path without a file gets index.html
 * (the app routes in the browser), never cached. Every answer carries a strict CSP.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** <repo>/dashboard/dist, from the sources (server/http) and from the build (dist/server/http). */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(
  new URL(`${import.meta.url.includes("/dist/server/") ? "../" : ""}../../dashboard/dist/`, import.meta.url),
);

export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

export const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".txt": "text/plain; charset=utf-8",
  ".wasm": "application/wasm",
};

export const contentType = (file: string) =>
  CONTENT_TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream";

/** Paths the dashboard never answers (the API's own). */
export function isApiPath(pathname: string): boolean {
  return /^\/(graphql|auth|health|readiness|hooks)(\/|$)/.test(pathname);
}

function answer(request: Request, status: number, body: Buffer | string | null, headers: Record<string, string>) {
  return new Response(
    request.method === "HEAD" || body === null ? null : typeof body === "string" ? body : new Uint8Array(body),
    {
      status,
      headers: { "content-security-policy": DASHBOARD_CSP, ...SECURITY_HEADERS, ...headers },
    },
  );
}

const text = (request: Request, status: number, message: string) =>
  answer(request, status, `${message}\n`, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });

async function readFile(file: string): Promise<Buffer | null> {
  try {
    const stat = await fs.stat(file);
    return stat.isFile() ? await fs.readFile(file) : null;
  } catch {
    return null;
  }
}

/** Answers a GET or HEAD of a dashboard path (not an API path). */
export async function serveDashboard(request: Request, dir: string): Promise<Response> {
  const root = path.resolve(dir);
  const index = await readFile(path.join(root, "index.html"));
  if (!index)
    return text(
      request,
      503,
      `The dashboard is not built (no ${path.join(root, "index.html")}). Run "npm run build:dashboard", then reload.`,
    );
  const pathname = new URL(request.url).pathname;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return text(request, 400, "Bad path: it is not valid percent-encoding.");
  }
  const file = path.resolve(root, `.${decoded}`);
  if (decoded.includes("\0") || decoded.includes("\\") || (file !== root && !file.startsWith(root + path.sep)))
    return text(request, 400, "Bad path: it leads outside the dashboard.");

  const isAsset = decoded.startsWith("/assets/");
  const body = file === root ? null : await readFile(file);
  if (body)
    return answer(request, 200, body, {
      "content-type": contentType(file),
      "content-length": String(body.length),
      "cache-control": isAsset ? "public, max-age=31536000, immutable" : "no-cache",
    });
  // A missing hashed file is an error, not a page: the app would try to run HTML as a script.
  if (isAsset) return text(request, 404, `Not found: ${pathname.slice(0, 200)}`);
  return answer(request, 200, index, {
    "content-type": "text/html; charset=utf-8",
    "content-length": String(index.length),
    "cache-control": "no-cache",
  });
}
