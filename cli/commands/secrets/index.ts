/** `envplane secrets request|requests|cancel`: secret requests, single-use dashboard links for a secret's value. */
import { secretsCancel } from "./cancel.js";
import { secretsRequest } from "./request.js";
import { secretsRequests } from "./requests.js";

export const secretsCommands = [secretsRequest, secretsRequests, secretsCancel];
