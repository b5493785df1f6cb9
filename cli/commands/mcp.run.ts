import { opt } from "../args.js";
import type { CommandSpec } from "../command.js";
import { Context } from "../context.js";
import { packageVersion } from "../version.js";

export const mcp: CommandSpec["run"] = async (ctx, { options }) => {
  const token = opt.string(options, "token");
  const serverUrl = opt.string(options, "server");
  const own =
    token || serverUrl
      ? new Context({
          ...ctx.env,
          ...(token ? { ENVPLANE_TOKEN: token } : {}),
          ...(serverUrl ? { ENVPLANE_SERVER: serverUrl } : {}),
        })
      : ctx;
  // Loaded here, not at start: other commands never pay for the MCP SDK.
  const [{ StdioServerTransport }, { createMcpServer }] = await Promise.all([
    import("@modelcontextprotocol/sdk/server/stdio.js"),
    import("../../mcp/server.js"),
  ]);
  const client = own.sdk();
  // Fails at once (on stderr, exit 1) when the server cannot be reached or refuses the token.
  const { viewer } = await client.viewer();
  const server = createMcpServer(client, { version: packageVersion() });
  const transport = new StdioServerTransport();
  const ended = new Promise<void>((resolve) => {
    process.stdin.once("end", resolve);
    process.stdin.once("close", resolve);
  });
  await server.connect(transport);
  ctx.io.note(
    `envplane MCP server on stdio for ${own.credentials()!.server}, as ${viewer.user?.name ?? viewer.token?.name ?? "?"}.`,
  );
  await ended;
  await server.close();
};
