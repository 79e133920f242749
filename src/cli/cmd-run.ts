// Placeholder: implemented by the issue that owns `ringann run`.
import { RingannError } from "../errors.ts";
import type { Command } from "./command.ts";

export const command: Command = {
  name: "run",
  summary: "not implemented yet",
  help: "ringann run: not implemented yet",
  async run(): Promise<number> {
    throw new RingannError("E_UNIMPLEMENTED", "ringann run is not implemented yet");
  },
};
