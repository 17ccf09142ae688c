#!/usr/bin/env python3
"""A daycap poster written in Python: posts one video to one account.

Wired through daycap's `command:` handler, with verify.py as its verify:

    daycap run --ledger progress.csv \
      --handler 'command:./examples/python/post.py {account} {video_path}' \
      --verify 'command:./examples/python/verify.py {account} {video_path}'

The protocol (docs/handlers.md#the-command-handler):
  * Arguments are what the --handler text names; the placeholders {job_id}, {account},
    {video_path}, {caption}, {attempt} and {worker_id} are replaced when they are a whole
    argument. No shell is involved. Every field is also in the environment: DAYCAP_JOB_ID,
    DAYCAP_ACCOUNT, DAYCAP_VIDEO_PATH, DAYCAP_CAPTION, DAYCAP_ATTEMPT, DAYCAP_WORKER_ID.
  * Exit 0: posted. The last line on stdout is the post id (kept in the ledger's video_id).
  * Any other exit: failed. The last line on stderr is the error; daycap's error table
    classifies it: "file not found" is a content problem (not retried), "Your account has been
    suspended" freezes the account, "adb timeout" or "socket hang up" are retried.
  * SIGTERM: the job timed out or the run is stopping; stop at once. A job cut off after its
    upload went out is `unconfirmed` until verify.py settles it.

The "platform" here is a local file of JSON lines (EXAMPLE_PLATFORM_FILE, default
platform-posts.jsonl) so the example runs anywhere; replace upload() with your platform's API.
EXAMPLE_UPLOAD_SECONDS and EXAMPLE_CONFIRM_SECONDS make the upload and its confirmation take
that long, to rehearse a crash before or after the post went out.
"""
import json
import os
import sys
import time
import uuid

PLATFORM = os.environ.get("EXAMPLE_PLATFORM_FILE", "platform-posts.jsonl")


def upload(account: str, video_path: str, caption: str) -> str:
    """Posts the video and returns the platform's id for it."""
    time.sleep(float(os.environ.get("EXAMPLE_UPLOAD_SECONDS", "0")))
    post_id = uuid.uuid4().hex[:12]
    record = {"post_id": post_id, "account": account, "video_path": video_path, "caption": caption}
    with open(PLATFORM, "a", encoding="utf-8") as platform:
        platform.write(json.dumps(record) + "\n")
        platform.flush()
        os.fsync(platform.fileno())
    # From here on the post is out: a crash now leaves the job unconfirmed, and verify finds it.
    time.sleep(float(os.environ.get("EXAMPLE_CONFIRM_SECONDS", "0")))
    return post_id


def main() -> int:
    account, video_path = sys.argv[1], sys.argv[2]
    if not os.path.isfile(video_path):
        print(f"file not found: {video_path}", file=sys.stderr)  # content/corrupted_video, not retried
        return 1
    post_id = upload(account, video_path, os.environ.get("DAYCAP_CAPTION", ""))
    print(post_id)  # the last stdout line: the post id
    return 0


if __name__ == "__main__":
    sys.exit(main())
