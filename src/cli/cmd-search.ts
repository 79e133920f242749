// Placeholder: implemented by the issue that owns `ringann search`.
import { RingannError } from "../errors.ts";
import type { Command } from "./command.ts";

export const command: Command = {
  name: "search",
  summary: "not implemented yet",
  help: "ringann search: not implemented yet",
  async run(): Promise<number> {
    throw new RingannError("E_UNIMPLEMENTED", "ringann search is not implemented yet");
  },
};
