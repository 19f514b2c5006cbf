"""runtime-decode-exec: decoded data run as code in runtime JavaScript."""

from __future__ import annotations

import base64

import pytest

from chainsight.analyzers.behaviour.runtime_js import R_RUNTIME_DECODE_EXEC, scan_runtime_js
from chainsight.model import Severity

# a benign "payload": logs one line and writes a marker file
PAYLOAD = b"console.log('chainsight test payload');require('fs').writeFileSync('m','')"
B64 = base64.b64encode(PAYLOAD).decode()
HEX = PAYLOAD.hex()

POSITIVE = {
    "eval-atob": f"const s = '{B64}';\nconst code = atob(s);\neval(code);\n",
    "function-hex-appended": (
        '"use strict";exports.x=1;function f(a){return a}\n'
        '!function(){try{if(!process.env.CI){var n=Buffer.from("'
        + HEX
        + '","hex").toString();new Function("require",n)(require)}}catch(r){}}();'
    ),
    "decipher-compile": (
        "const c=require('crypto');const d=c.createDecipheriv('aes-256-cbc',k,iv);"
        "let s=d.update(blob,'hex','utf8');s+=d.final('utf8');"
        "const m=new module.constructor();m._compile(s,'x.js');"
    ),
    "hex-helper-and-decoded-method-name": (
        'function e(r){return Buffer.from(r,"hex").toString()}'
        'var f=new module.constructor;f[e("5f636f6d70696c65")](a,"")'
    ),
    "require-decoded-name": "module.exports = require(Buffer.from('2e2f78','hex').toString());",
    "vm-inflate": (
        "const vm=require('vm');\n"
        "vm.runInThisContext(zlib.inflateSync(Buffer.from(d,'base64')).toString());"
    ),
    "child-process": (
        "const cp = require('child_process');\n"
        f"const cmd = Buffer.from('{B64}', 'base64').toString();\ncp.exec(cmd);\n"
    ),
    "child-process-inline-require": (
        f"const cmd = Buffer.from('{B64}', 'base64').toString();\n"
        "require('child_process').execSync(cmd);\n"
    ),
    "xor-loop": (
        "var k=5,s='';for(var i=0;i<d.length;i++){s+=String.fromCharCode(d.charCodeAt(i)^k)}\n"
        "Function(s)();"
    ),
    "two-hops": (
        f"var raw = Buffer.from('{B64}', 'base64');\nvar text = raw.toString();\n"
        "var run = text;\neval(run);\n"
    ),
}

NEGATIVE = {
    "function-return-this": "var g = new Function('return this')();\n",
    "decode-not-run": "var b = Buffer.from(x, 'base64');\nsend(b);\neval('1+1');\n",
    "webpack-eval-devtool": (
        "eval(\"var a = Buffer.from(x, 'base64'); module.exports = a;"
        '\\n//# sourceURL=webpack://x");'
    ),
    "commented-out": f"const code = atob('{B64}');\n// eval(code);\n",
    "regexp-exec": (
        "const child_process = require('child_process');\nconst d = atob(q);\n"
        "const m = /x/.exec(d);\n"
    ),
    "template-engine": (
        "function compile(tpl){var src='return '+JSON.stringify(tpl);"
        "return new Function('data', src)}\nvar img = atob(png);\n"
    ),
    "decoder-name-reused-far-away": (
        'function o(t){return Buffer.from(t,"hex").toString()}\n'
        + "var pad = 1;\n" * 2000
        + "var x = {}; x[o('a')](1);\n"
    ),
    "sink-in-string": (
        "var msg = 'do not call eval(atob(x)) here';\nvar d = atob(y);\nconsole.log(d);\n"
    ),
}


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_decode_then_execute_is_high(name: str) -> None:
    signals = scan_runtime_js("lib/x.js", POSITIVE[name])
    assert signals, name
    top = signals[0]
    assert top.rule_id == R_RUNTIME_DECODE_EXEC
    assert top.severity is Severity.HIGH
    # the second signal points at where the data is decoded
    assert signals[1].severity is Severity.MEDIUM
    assert signals[1].text


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_genuine_patterns_are_silent(name: str) -> None:
    assert scan_runtime_js("lib/x.js", NEGATIVE[name]) == []


def test_evidence_lines_name_sink_and_decoder() -> None:
    signals = scan_runtime_js("x.js", POSITIVE["eval-atob"])
    assert (signals[0].line, signals[0].text) == (3, "eval(code);")
    assert (signals[1].line, signals[1].text) == (2, "const code = atob(s);")


def test_long_minified_lines_give_a_window_not_the_whole_line() -> None:
    filler = "var a" + "=1,a".join(str(i) for i in range(3000)) + ";"
    text = filler + POSITIVE["function-hex-appended"].replace("\n", "")
    signals = scan_runtime_js("dist/x.min.js", text)
    assert signals and len(signals[0].text) <= 210
    assert "Function" in signals[0].text
    assert "embedded" in signals[0].why  # the hex literal is long enough to be named
