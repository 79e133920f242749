// Placeholder: implemented by the issue that owns `ringann info`.
import { RingannError } from "../errors.ts";
import type { Command } from "./command.ts";

export const command: Command = {
  name: "info",
  summary: "not implemented yet",
  help: "ringann info: not implemented yet",
  async run(): Promise<number> {
    throw new RingannError("E_UNIMPLEMENTED", "ringann info is not implemented yet");
  },
};
