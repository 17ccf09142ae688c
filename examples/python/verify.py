#!/usr/bin/env python3
"""daycap's verify for post.py: after a crash, was this job posted?

daycap runs it at the start of a run for each `unconfirmed` job (one whose worker or run died
mid-post), with the same placeholders and environment as the poster (DAYCAP_ATTEMPT is the
attempt that was in flight):

    --verify 'command:./examples/python/verify.py {account} {video_path}'

The exit code is the answer (docs/handlers.md#verify-after-a-crash):
  * 0: posted. Print the post id as the last line of stdout; the job becomes `success`.
  * 3: not posted. The job goes back to `pending` and is posted again.
  * anything else (or no answer within verifyTimeout, default 1 minute): unknown. The job stays
    `unconfirmed` for an operator to settle.
Say "not posted" only when you are sure: it means the video is posted again.
"""
import json
import os
import sys

PLATFORM = os.environ.get("EXAMPLE_PLATFORM_FILE", "platform-posts.jsonl")
POSTED, NOT_POSTED, UNKNOWN = 0, 3, 1


def main() -> int:
    account, video_path = sys.argv[1], sys.argv[2]
    try:
        with open(PLATFORM, encoding="utf-8") as platform:
            lines = platform.read().splitlines()
    except FileNotFoundError:
        return NOT_POSTED  # nothing was ever posted
    except OSError as error:
        print(f"cannot read {PLATFORM}: {error}", file=sys.stderr)
        return UNKNOWN
    for line in reversed(lines):
        try:
            post = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line torn by a crash mid-write is no post
        if post.get("account") == account and post.get("video_path") == video_path:
            print(post["post_id"])
            return POSTED
    return NOT_POSTED


if __name__ == "__main__":
    sys.exit(main())
