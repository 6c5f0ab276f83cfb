#!/usr/bin/env python3
"""Writes a plain safetensors state dict (no Cohort metadata) with torchvision's resnet18 names and
shapes, random values, and PyTorch's int64 BatchNorm counters, as
`safetensors.torch.save_file(torchvision.models.resnet18().state_dict())` would, without torch.

    scripts/make-torchvision-resnet18.py OUT [--channels 3] [--classes 1000] [--nan NAME] [--seed 0]
"""
import argparse

import numpy as np
from safetensors.numpy import save_file

parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("--channels", type=int, default=3)
parser.add_argument("--classes", type=int, default=1000)
parser.add_argument("--nan", help="put a NaN into this tensor")
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()
rng = np.random.default_rng(args.seed)
tensors = {}


def conv(name, out_channels, in_channels, kernel):
    scale = (2.0 / (in_channels * kernel * kernel)) ** 0.5
    tensors[name + ".weight"] = (rng.standard_normal((out_channels, in_channels, kernel, kernel)) * scale).astype(np.float32)


def batch_norm(name, channels):
    tensors[name + ".weight"] = rng.uniform(0.5, 1.5, channels).astype(np.float32)
    tensors[name + ".bias"] = rng.uniform(-0.2, 0.2, channels).astype(np.float32)
    tensors[name + ".running_mean"] = rng.uniform(-0.2, 0.2, channels).astype(np.float32)
    tensors[name + ".running_var"] = rng.uniform(0.5, 1.5, channels).astype(np.float32)
    tensors[name + ".num_batches_tracked"] = np.array(1000, dtype=np.int64)


conv("conv1", 64, args.channels, 7)
batch_norm("bn1", 64)
inputs = 64
for stage, width in enumerate([64, 128, 256, 512], start=1):
    for block in range(2):
        prefix = f"layer{stage}.{block}"
        conv(prefix + ".conv1", width, inputs, 3)
        batch_norm(prefix + ".bn1", width)
        conv(prefix + ".conv2", width, width, 3)
        batch_norm(prefix + ".bn2", width)
        if block == 0 and stage > 1:
            conv(prefix + ".downsample.0", width, inputs, 1)
            batch_norm(prefix + ".downsample.1", width)
        inputs = width
tensors["fc.weight"] = (rng.standard_normal((args.classes, 512)) * 0.05).astype(np.float32)
tensors["fc.bias"] = rng.uniform(-0.1, 0.1, args.classes).astype(np.float32)
if args.nan:
    tensors[args.nan].flat[1] = np.nan
save_file(tensors, args.out)
