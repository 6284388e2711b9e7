EVENTS = {
    "vault.key.created": "A company data key (a new version) was created.",
    "vault.key.rotated": "A company data key was rotated: new data uses a new version.",
    "vault.key.rewrapped": "A company data key was re-wrapped under the current master key.",
    "vault.secrets.resealed": "Secrets sealed with the master key ring were sealed again "
    "under its current key id (TOTP seeds, OIDC client secrets, conversation emails).",
    "vault.key.shredded": "A company's data keys were destroyed (crypto-shredding).",
    "vault.upload.refused": "An upload was refused (too large, empty, infected or not scanned).",
}
