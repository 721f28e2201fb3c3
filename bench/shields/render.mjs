// Renders shields.io's badges with its own library, badge-maker, for the benchmark's byte comparison.
// Reads a JSON array of badge-maker formats ({label, message, color, labelColor, style}) on stdin and
// writes the JSON array of their SVG documents on stdout, in the same order.
import { makeBadge } from 'badge-maker'

let input = ''
process.stdin.setEncoding('utf8')
for await (const chunk of process.stdin) input += chunk
process.stdout.write(JSON.stringify(JSON.parse(input).map(format => makeBadge(format))))
