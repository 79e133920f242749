// Placeholder: implemented by the issue that owns `ringann build`.
import { RingannError } from "../errors.ts";
import type { Command } from "./command.ts";

export const command: Command = {
  name: "build",
  summary: "not implemented yet",
  help: "ringann build: not implemented yet",
  async run(): Promise<number> {
    throw new RingannError("E_UNIMPLEMENTED", "ringann build is not implemented yet");
  },
};
