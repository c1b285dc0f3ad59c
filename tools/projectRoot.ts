import * as fs from "fs";
import * as path from "path";

/** The folder holding Pulumi.yaml, found from wherever the compiled code runs. */
export function projectRoot(start: string = __dirname): string {
    let dir = start;
    while (!fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
        const parent = path.dirname(dir);
        if (parent === dir) {
            throw new Error(`No Pulumi.yaml found above ${start}.`);
        }
        dir = parent;
    }
    return dir;
}
