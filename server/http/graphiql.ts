/**
 * GraphiQL at GET /graphql (a browser's Accept: text/html), with no third-party request: the
 * page links /graphql/assets/graphiql.{css,js} and the editor's workers, all from the bundle of
 * @graphql-yoga/render-graphiql (loaded on first use: it is large). The page has no inline
 * script (its options are a JSON data block), so its CSP allows scripts from this origin only.
 */
import { createHash } from "node:crypto";
import { SECURITY_HEADERS } from "./static.js";

export const GRAPHIQL_ASSETS = "/graphql/assets/";

export const GRAPHIQL_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; " +
  "frame-ancestors 'none'; form-action 'self'";

const WORKERS = { editorWorkerService: "editor.worker.js", json: "json.worker.js", graphql: "graphql.worker.js" };

interface Assets {
  /** By path below /graphql/assets/: `<version>/<file>`. */
  files: Record<string, { body: string; type: string }>;
  favicon: string;
  /** /graphql/assets/<version>/: a hash of the bundle, so a new one is never confused with a cached one. */
  base: string;
}

let loading: Promise<Assets> | null = null;

function assets(): Promise<Assets> {
  loading ??= import("@graphql-yoga/render-graphiql/graphiql").then((bundle) => {
    const b = bundle as unknown as Record<
      "css" | "js" | "favicon" | "editorWorkerService" | "jsonWorker" | "graphqlWorker",
      string
    >;
    const version = createHash("sha256").update(b.js).update(b.css).digest("hex").slice(0, 12);
    const base = `${GRAPHIQL_ASSETS}${version}/`;
    const boot =
      `self.MonacoEnvironment={globalAPI:false,getWorkerUrl:function(_id,label){` +
      `return ${JSON.stringify(base)}+${JSON.stringify(WORKERS)}[label];}};\n` +
      `${b.js};\n` +
      `YogaGraphiQL.renderYogaGraphiQL(document.querySelector("#root"),` +
      `JSON.parse(document.getElementById("graphiql-options").textContent));\n`;
    const js = "text/javascript; charset=utf-8";
    const files = {
      "graphiql.js": { body: boot, type: js },
      "graphiql.css": { body: b.css, type: "text/css; charset=utf-8" },
      [WORKERS.editorWorkerService]: { body: b.editorWorkerService, type: js },
      [WORKERS.json]: { body: b.jsonWorker, type: js },
      [WORKERS.graphql]: { body: b.graphqlWorker, type: js },
    };
    return {
      favicon: b.favicon,
      base,
      files: Object.fromEntries(Object.entries(files).map(([name, file]) => [`${version}/${name}`, file])),
    };
  });
  return loading;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Whether a request is a browser asking for GraphiQL (as graphql-yoga decides it). */
export function wantsGraphiQL(request: Request, pathname: string): boolean {
  return (
    request.method === "GET" &&
    (pathname === "/graphql" || pathname === "/graphql/") &&
    (request.headers.get("accept") ?? "").includes("text/html")
  );
}

export async function graphiqlPage(options: Record<string, unknown>): Promise<Response> {
  const { favicon, base } = await assets();
  const title = String(options.title ?? "GraphiQL");
  // JSON in a data block: "<" escaped so no text can close the element.
  const data = JSON.stringify(options).replace(/</g, "\\u003c");
  const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(title)}</title>
    <link rel="icon" href="${escapeHtml(favicon)}" />
    <link rel="stylesheet" href="${base}graphiql.css" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run GraphiQL.</noscript>
    <div id="root"></div>
    <script type="application/json" id="graphiql-options">${data}</script>
    <script src="${base}graphiql.js"></script>
  </body>
</html>
`;
  return new Response(html, {
    status: 200,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-cache",
      "content-security-policy": GRAPHIQL_CSP,
      ...SECURITY_HEADERS,
    },
  });
}

/** GET or HEAD /graphql/assets/<version>/<name>: the bundle's files, cached for a year (they change only with the package). */
export async function graphiqlAsset(request: Request, name: string): Promise<Response> {
  const file = Object.hasOwn((await assets()).files, name) ? (await assets()).files[name] : null;
  if (!file || (request.method !== "GET" && request.method !== "HEAD"))
    return new Response("Not found.\n", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
  return new Response(request.method === "HEAD" ? null : file.body, {
    status: 200,
    headers: {
      "content-type": file.type,
      "cache-control": "public, max-age=31536000, immutable",
      ...SECURITY_HEADERS,
    },
  });
}
