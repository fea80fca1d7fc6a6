// Carrier of the precompiled <torch/torch.h> that torch-heavy targets reuse.
