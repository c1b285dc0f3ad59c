/** Preloaded (`node -r`) into the offline plan's process: the program plus {@link declareExtras}. */
import { declareExtras, patchProgram } from "./programPlus";

patchProgram(declareExtras);
