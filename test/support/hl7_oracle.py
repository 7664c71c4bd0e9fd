"""Reads an HL7 v2 message with Debian's python3-hl7 and prints every non-empty leaf value
(segment index, name, field, repetition, component, subcomponent, unescaped value) as JSON:
the independent reading the mappers' parser is compared with (test/unit/mappers/)."""
import json
import sys

import hl7

raw = sys.stdin.buffer.read().decode(sys.argv[1] if len(sys.argv) > 1 else "utf-8")
raw = raw.replace("\r\n", "\r").replace("\n", "\r").strip("\r")
message = hl7.parse(raw)
out = []
for si, segment in enumerate(message):
    name = str(segment[0])
    for fi in range(1, len(segment)):
        # python-hl7 numbers MSH as HL7 does only from MSH-3 on: MSH-1 and MSH-2 are skipped.
        if name == "MSH" and fi <= 2:
            continue
        field = segment[fi]
        reps = field if isinstance(field, hl7.containers.Field) else [field]
        for ri, rep in enumerate(reps, 1):
            comps = rep if isinstance(rep, hl7.containers.Repetition) else [rep]
            for ci, comp in enumerate(comps, 1):
                subs = comp if isinstance(comp, hl7.containers.Component) else [comp]
                for ssi, sub in enumerate(subs, 1):
                    value = message.unescape(str(sub))
                    if value:
                        out.append([si, name, fi, ri, ci, ssi, value])
print(json.dumps(out, ensure_ascii=False))
