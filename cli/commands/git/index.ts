import type { CommandSpec } from "../../command.js";
import { json, project, yes } from "../options.js";

export const gitConnect: CommandSpec = {
  path: ["git", "connect"],
  summary: "Connect the project to a GitHub repository's webhook (admins). Prints the URL and the secret once.",
  options: {
    previews: {
      type: "string",
      value: "<url>",
      description:
        "Give each branch GitHub creates its preview environment too, deployed at this URL ({branch} stands for " +
        "the preview's name, e.g. https://{branch}.preview.example.com).",
    },
    project,
    json,
  },
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.gitConnect(ctx, invocation)),
};

export const gitRotateSecret: CommandSpec = {
  path: ["git", "rotate-secret"],
  summary: "A new secret for the GitHub webhook (admins); the old one is refused from now on. Printed once.",
  options: { project, json },
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.gitRotateSecret(ctx, invocation)),
};

export const gitPreviews: CommandSpec = {
  path: ["git", "previews"],
  summary: "Whether branches GitHub creates also get their preview environment: on or off (admins).",
  args: [{ name: "on|off", required: true, description: "on or off." }],
  options: {
    url: {
      type: "string",
      value: "<url>",
      description: "The URL a branch's deployment gets, {branch} standing for the preview's name (kept if not given).",
    },
    project,
    json,
  },
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.gitPreviews(ctx, invocation)),
};

export const gitStatus: CommandSpec = {
  path: ["git", "status"],
  summary: "Show the GitHub connection: its URL and recent deliveries, newest first (admins).",
  options: {
    limit: { type: "string", value: "<n>", description: "How many deliveries (default 20, at most 100)." },
    project,
    json,
  },
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.gitStatus(ctx, invocation)),
};

export const gitDisconnect: CommandSpec = {
  path: ["git", "disconnect"],
  summary: "Remove the GitHub connection (admins): its URL answers 404; branches and past deliveries stay.",
  options: { project, yes, json },
  run: (ctx, invocation) => import("./index.run.js").then((m) => m.gitDisconnect(ctx, invocation)),
};

export const gitCommands = [gitConnect, gitStatus, gitRotateSecret, gitPreviews, gitDisconnect];
