# The child of ExecTests: a long job that reads $OAUTHTOP_TOKEN_FILE before every call to a protected
# resource, once a second, and prints one JSON line per call (the token's fingerprint, never the token).
# SIGTERM or SIGHUP makes it print what it saw and exit with status 42.
import hashlib
import json
import os
import signal
import stat
import sys
import time
import urllib.error
import urllib.request

url = sys.argv[1]
path = os.environ["OAUTHTOP_TOKEN_FILE"]
statuses = []


def emit(event, **fields):
    print(json.dumps(dict(event=event, **fields)), flush=True)


def finish(signum, frame):
    emit("signal", signal=signum, calls=len(statuses))
    sys.exit(42)


signal.signal(signal.SIGTERM, finish)
signal.signal(signal.SIGHUP, finish)
emit(
    "started",
    token_file=path,
    file_mode=oct(stat.S_IMODE(os.stat(path).st_mode)),
    directory_mode=oct(stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode)),
    provider=os.environ.get("OAUTHTOP_PROVIDER", ""),
)
while True:
    with open(path) as handle:
        token = handle.read()
    request = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except Exception as error:  # a refused connection counts as a failed call
        status = -1
    statuses.append(status)
    emit("call", status=status, token=hashlib.sha256(token.encode()).hexdigest()[:8])
    time.sleep(1)
