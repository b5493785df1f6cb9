/**
 * envplane command line. This release has `serve`; the project and variable commands
 * (login, env pull/push, …) come with the CLI.
 */
const usage = `Usage: envplane <command>

Commands:
  serve     Start the envplane server (same as npm start). Configured by PORT, HOST,
            ENVPLANE_DATA_DIR, DATABASE_URL and ENVPLANE_ROOT_KEY; see README.md.

Options:
  -h, --help  Show this help.
`;

const [command, ...rest] = process.argv.slice(2);
if (command === "serve" && rest.length === 0) {
  process.env.NODE_ENV ??= "production"; // before graphql loads: its production build skips dev-only checks
  await import("../server/main.js");
} else if (!command || command === "-h" || command === "--help" || command === "help") {
  process.stdout.write(usage);
} else {
  process.stderr.write(`Unknown command "${[command, ...rest].join(" ")}".\n\n${usage}`);
  process.exit(2);
}
