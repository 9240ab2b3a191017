"""Make an API key for a role: prints the key (give it to the client) and the settings entry (store it).

    python scripts/hash_key.py door-kiosk recognizer
"""
from __future__ import annotations

import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared.settings import ROLES, key_hash  # noqa: E402


def main() -> None:
    if len(sys.argv) != 3 or sys.argv[2] not in ROLES:
        sys.exit(f"usage: python scripts/hash_key.py <name> <{'|'.join(ROLES)}>")
    name, role = sys.argv[1], sys.argv[2]
    key = secrets.token_hex(16)
    print(f"key (give to the client, store nowhere else): {key}")
    print(f"append to FACE_API_KEY_HASHES: {name}:{role}:{key_hash(key)}")


if __name__ == "__main__":
    main()
