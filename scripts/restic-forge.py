#!/usr/bin/env python3
"""Adds snapshots with chosen times and tags to local restic repositories, fast, for tests.

Usage: restic-forge.py PASSWORD_FILE <spec
       restic-forge.py --cheap-key PASSWORD_FILE REPOSITORY

Each line of the spec is `REPOSITORY TIME TAG[,TAG...]` (TIME in RFC 3339, e.g.
2025-12-31T22:00:00Z). Each repository must already hold a snapshot made by `restic backup`: the
new snapshots copy the tree, paths, host and user, so `restic check` passes. A snapshot file is the
JSON encrypted with the repository's master key in restic's format (IV, AES-256-CTR ciphertext,
Poly1305-AES MAC; see restic's design document) and named by the SHA-256 of its bytes. Repository
format 1 stores such files uncompressed; format 2 reads an unprefixed JSON payload as uncompressed.

`restic backup --time` takes ~0.4 s per snapshot; this takes a few milliseconds per thousand, plus
one scrypt per distinct key file (repositories copied from one template share it).
`--cheap-key` replaces the repository's only key file by one with scrypt N=2^10 instead of
restic's calibrated ~0.3 s, so that each later restic command starts in milliseconds (tests only).

Needs the `cryptography` package (scripts/deps.sh installs it into .venv).
"""
import base64
import hashlib
import json
import os
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.hazmat.primitives.poly1305 import Poly1305


def mac(k, r, iv, ciphertext):
    s = Cipher(algorithms.AES(k), modes.ECB()).encryptor().update(iv)
    return Poly1305.generate_tag(r + s, ciphertext)


def decrypt(keys, blob):
    aes, k, r = keys
    iv, ciphertext, tag = blob[:16], blob[16:-16], blob[-16:]
    if mac(k, r, iv, ciphertext) != tag:
        sys.exit("restic-forge: MAC mismatch (wrong password or not a restic file)")
    return Cipher(algorithms.AES(aes), modes.CTR(iv)).decryptor().update(ciphertext)


def encrypt(keys, plaintext):
    aes, k, r = keys
    iv = os.urandom(16)
    ciphertext = Cipher(algorithms.AES(aes), modes.CTR(iv)).encryptor().update(plaintext)
    return iv + ciphertext + mac(k, r, iv, ciphertext)


def user_keys(key_file, password):
    if key_file["kdf"] != "scrypt":
        sys.exit(f"restic-forge: unknown kdf {key_file['kdf']}")
    derived = Scrypt(salt=base64.b64decode(key_file["salt"]), length=64, n=key_file["N"],
                     r=key_file["r"], p=key_file["p"]).derive(password)
    return derived[:32], derived[32:48], derived[48:]


def key_path(repository):
    names = os.listdir(os.path.join(repository, "keys"))
    if len(names) != 1:
        sys.exit(f"restic-forge: {repository}: expected one key file, found {len(names)}")
    return os.path.join(repository, "keys", names[0])


def master_json(repository, password):
    key_file = json.load(open(key_path(repository), "rb"))
    return decrypt(user_keys(key_file, password), base64.b64decode(key_file["data"]))


def master_keys(repository, password, cache):
    raw = open(key_path(repository), "rb").read()
    if raw not in cache:
        master = json.loads(master_json(repository, password))
        cache[raw] = (base64.b64decode(master["encrypt"]), base64.b64decode(master["mac"]["k"]),
                      base64.b64decode(master["mac"]["r"]))
    return cache[raw]


def cheapen_key(repository, password):
    """Replaces the key file by one with scrypt N=2^10 (restic's default costs ~0.3 s a command)."""
    old = key_path(repository)
    key_file = json.load(open(old, "rb"))
    plain = master_json(repository, password)
    key_file.update(N=1024, r=8, p=1, salt=base64.b64encode(os.urandom(64)).decode())
    key_file["data"] = base64.b64encode(encrypt(user_keys(key_file, password), plain)).decode()
    blob = json.dumps(key_file, separators=(",", ":")).encode()
    with open(os.path.join(repository, "keys", hashlib.sha256(blob).hexdigest()), "wb") as file:
        file.write(blob)
    os.remove(old)


def template(repository, keys):
    folder = os.path.join(repository, "snapshots")
    names = sorted(os.listdir(folder))
    if not names:
        sys.exit(f"restic-forge: {repository}: no snapshot to copy (run restic backup once)")
    with open(os.path.join(folder, names[0]), "rb") as file:
        return json.loads(decrypt(keys, file.read()))


def read_password(path):
    return open(path, "rb").read().rstrip(b"\r\n")


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--cheap-key":
        cheapen_key(sys.argv[3], read_password(sys.argv[2]))
        return
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[1])
    password = read_password(sys.argv[1])
    cache = {}
    by_repository = {}
    for number, line in enumerate(sys.stdin, 1):
        fields = line.split()
        if len(fields) != 3:
            sys.exit(f"restic-forge: line {number}: expected REPOSITORY TIME TAGS")
        by_repository.setdefault(fields[0], []).append((fields[1], fields[2].split(",")))
    for repository, snapshots in by_repository.items():
        keys = master_keys(repository, password, cache)
        base = template(repository, keys)
        for time, tags in snapshots:
            snapshot = {"time": time, "tree": base["tree"], "paths": base["paths"],
                        "hostname": base["hostname"], "username": base.get("username", ""), "tags": tags}
            blob = encrypt(keys, json.dumps(snapshot, separators=(",", ":")).encode())
            name = hashlib.sha256(blob).hexdigest()
            with open(os.path.join(repository, "snapshots", name), "wb") as file:
                file.write(blob)


if __name__ == "__main__":
    main()
