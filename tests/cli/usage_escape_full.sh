# A usage error quotes the command line escaped, as log text is: an ESC
# pasted into --since reaches the terminal as \x1B. A --help or --version
# that cannot be written (a full disk) says so and exits 3.
python3 - "$EXHUNT" <<'PY'
import subprocess, sys
exe = sys.argv[1]
for args in (["scan", "--since", "\x1b[2Jx", "."], ["scan", "--bogus\x07", "."],
             ["rules", "list", "-f", "\x9bxml"]):
    p = subprocess.run([exe] + args, capture_output=True)
    err = p.stderr
    print(p.returncode, b"\x1b" in err or b"\x07" in err or b"\x9b" in err,
          err.split(b"\n")[0].decode("utf-8", "replace"))
PY
for c in --help --version "build --help" "probe --help" "report --help"; do
    "$EXHUNT" $c > /dev/full 2> err.txt
    echo "$c: exit $? $(cat err.txt)"
    "$EXHUNT" $c > /dev/null 2> err.txt
    echo "$c to /dev/null: exit $? $(wc -c < err.txt)"
done
