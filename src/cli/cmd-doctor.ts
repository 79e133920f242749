// Placeholder: implemented by the issue that owns `ringann doctor`.
import { RingannError } from "../errors.ts";
import type { Command } from "./command.ts";

export const command: Command = {
  name: "doctor",
  summary: "not implemented yet",
  help: "ringann doctor: not implemented yet",
  async run(): Promise<number> {
    throw new RingannError("E_UNIMPLEMENTED", "ringann doctor is not implemented yet");
  },
};
