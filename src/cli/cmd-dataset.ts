// Placeholder: implemented by the issue that owns `ringann dataset`.
import { RingannError } from "../errors.ts";
import type { Command } from "./command.ts";

export const command: Command = {
  name: "dataset",
  summary: "not implemented yet",
  help: "ringann dataset: not implemented yet",
  async run(): Promise<number> {
    throw new RingannError("E_UNIMPLEMENTED", "ringann dataset is not implemented yet");
  },
};
