"""Writes to the register, one module per subject: acts, mentions (and the death mention), pre-declarations and
establishments' API keys, bulk loads of digitised registers. Each write is audited."""
