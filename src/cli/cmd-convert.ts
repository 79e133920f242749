// Placeholder: implemented by the issue that owns `ringann convert`.
import { RingannError } from "../errors.ts";
import type { Command } from "./command.ts";

export const command: Command = {
  name: "convert",
  summary: "not implemented yet",
  help: "ringann convert: not implemented yet",
  async run(): Promise<number> {
    throw new RingannError("E_UNIMPLEMENTED", "ringann convert is not implemented yet");
  },
};
