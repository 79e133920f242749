// Placeholder: implemented by the issue that owns `ringann gt`.
import { RingannError } from "../errors.ts";
import type { Command } from "./command.ts";

export const command: Command = {
  name: "gt",
  summary: "not implemented yet",
  help: "ringann gt: not implemented yet",
  async run(): Promise<number> {
    throw new RingannError("E_UNIMPLEMENTED", "ringann gt is not implemented yet");
  },
};
