/** The agent guide served as envplane://guide: how envplane's variables behave, for an agent using these tools. */
export const GUIDE_URI = "envplane://guide";

export const GUIDE = `# envplane for agents: environment variables

envplane keeps a project's configuration per environment (development, preview, production, custom ones and
previews). Each environment holds base values; a project branch (a deployment line, not a Git branch) may
override some of them. Every write makes one new revision of the environment.

## Read names, never values
- list_env_vars gives names, types and a count. There is no tool that reads a value back, and there never will
  be one: values flow into envplane, not out to you.
- Types, first match wins:
  - managed: owned by a service binding (e.g. a database credential). Leave it alone; only the binding changes it.
  - secret: write-only. Only a person sets it, through request_secret.
  - reference: the value is \`\${{project.KEY}}\`, it follows a project variable. resolvesToSecret says whether
    that project variable is a secret.
  - standard: plain configuration. Yours to set.

## set_env_vars merges
- By default only the keys you name change. Everything else stays exactly as it is: other keys, their notes,
  references and managed keys. A named key whose value you pass unchanged is reported as unchanged.
- To remove a key call delete_env_vars. An empty string is a value, not a removal.
- replace: true makes the environment's standard values exactly what you pass. Standard and reference keys you
  do not name are removed and listed in \`removed\`. Secrets and managed keys are always kept (\`keptSecrets\`,
  \`managedKept\`), since you could not supply them again. replace is for base values only, and rarely right: you
  cannot read the values you would be dropping.
- One call is one revision: all of it is written or none of it.

## Secrets go through a person
- set_env_vars refuses, and writes nothing, when a key is already a secret, is managed, or its name looks like a
  secret (password, token, secret, api key, private key, *_KEY …). The refusal names each key.
- For each such key call request_secret(project, environment, key, note?). It answers with a single-use link and
  a request id. Give the link to a person; they sign in and type the value in the dashboard. Poll
  get_secret_request(id): pending, fulfilled, expired or cancelled. You never see the value, and you never need to.
- Do not ask a person to paste a secret into the conversation.

## Changes need a redeploy
- Running deployments loaded their values at boot. A change reaches them only when they restart.
- set_env_vars and delete_env_vars answer redeployNeeded and a note naming the branches whose deployments lag
  behind. get_env_status shows per branch the live revision and the keys changed since.

## Previews
- create_preview(project, branch, url, overrides?) copies the environment the branch deploys with (secrets
  included, on the server), applies overrides (\`\${PREVIEW_URL}\` becomes url) and maps the branch to the new
  preview/<branch> environment. After that, set_env_vars on the preview changes only the preview.

## Other reads
- list_projects, list_environments(project): what this token can reach, what it may write.
- diff_environments(project, base, head): key by key; secrets by key only.
- envplane://projects/{project}/mapping: which environment each project branch deploys with.

## Permissions
Your token's permissions are the ones that apply. A refusal from the server (e.g. a read-only token writing, a
protected environment) comes back as an error result with the server's message; do not retry it unchanged.
A token that may write but not read sees names with type unknown, and cannot use replace.
`;
