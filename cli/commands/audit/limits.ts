/** How many audit events one `envplane audit` asks for at most. Shared by the command's spec and its run code. */
export const MAX_LIMIT = 500;
