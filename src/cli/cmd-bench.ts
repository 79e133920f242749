// Placeholder: implemented by the issue that owns `ringann bench`.
import { RingannError } from "../errors.ts";
import type { Command } from "./command.ts";

export const command: Command = {
  name: "bench",
  summary: "not implemented yet",
  help: "ringann bench: not implemented yet",
  async run(): Promise<number> {
    throw new RingannError("E_UNIMPLEMENTED", "ringann bench is not implemented yet");
  },
};
