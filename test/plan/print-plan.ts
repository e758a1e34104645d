/** Prints the plan of a topology file as JSON (run in its own process by the determinism test). */
import { readFileSync } from "node:fs";
import { planText } from "../../src/plan/load-plan.js";

const file = process.argv[2] as string;
process.stdout.write(JSON.stringify(planText(readFileSync(file, "utf8"), file).plan));
