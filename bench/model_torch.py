#!/usr/bin/python3
"""Times a whole model in PyTorch on this machine, the side-by-side baseline for `jtorch bench model`.

usage: /usr/bin/python3 bench/model_torch.py MODEL --batch B --size H W --threads T [--train]
                                             [--num-classes N] [--in-channels C] [--bilinear true|false]
Prints one line in the format jtorch prints:
    torch_model model=.. batch=.. size=HxW threads=.. mode=eval|train ms=.. min_ms=.. iters=.. rss_peak_mb=..

The workload is jtorch's exactly: input torch.randn(B, C, H, W); an iteration is one forward in
eval mode under torch.no_grad(), or with --train one training step (zero_grad, forward, loss,
backward, SGD step with lr 0.01 and momentum 0.9; the loss is cross-entropy on random labels for
[B, classes] outputs, else the mean square of the output). Warm-up: at least 3 iterations and
2 seconds; then enough timed iterations for ~10 s (5 to 50); the median is reported.
MODEL is a torchvision name, or `unet` (the tutorial U-Net, defined below as in the tutorials).
"""
import argparse
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.models as tvm


class DoubleConv(nn.Module):
    def __init__(self, in_channels, out_channels, mid_channels=None):
        super().__init__()
        if not mid_channels:
            mid_channels = out_channels
        self.double_conv = nn.Sequential(
            nn.Conv2d(in_channels, mid_channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(mid_channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(mid_channels, out_channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True))

    def forward(self, x):
        return self.double_conv(x)


class Down(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.maxpool_conv = nn.Sequential(nn.MaxPool2d(2), DoubleConv(in_channels, out_channels))

    def forward(self, x):
        return self.maxpool_conv(x)


class Up(nn.Module):
    def __init__(self, in_channels, out_channels, bilinear=True):
        super().__init__()
        if bilinear:
            self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)
            self.conv = DoubleConv(in_channels, out_channels, in_channels // 2)
        else:
            self.up = nn.ConvTranspose2d(in_channels, in_channels // 2, kernel_size=2, stride=2)
            self.conv = DoubleConv(in_channels, out_channels)

    def forward(self, x1, x2):
        x1 = self.up(x1)
        diff_y = x2.size()[2] - x1.size()[2]
        diff_x = x2.size()[3] - x1.size()[3]
        x1 = F.pad(x1, [diff_x // 2, diff_x - diff_x // 2, diff_y // 2, diff_y - diff_y // 2])
        return self.conv(torch.cat([x2, x1], dim=1))


class OutConv(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=1)

    def forward(self, x):
        return self.conv(x)


class UNet(nn.Module):
    def __init__(self, n_channels, n_classes, bilinear=False):
        super().__init__()
        self.n_channels, self.n_classes, self.bilinear = n_channels, n_classes, bilinear
        factor = 2 if bilinear else 1
        self.inc = DoubleConv(n_channels, 64)
        self.down1 = Down(64, 128)
        self.down2 = Down(128, 256)
        self.down3 = Down(256, 512)
        self.down4 = Down(512, 1024 // factor)
        self.up1 = Up(1024, 512 // factor, bilinear)
        self.up2 = Up(512, 256 // factor, bilinear)
        self.up3 = Up(256, 128 // factor, bilinear)
        self.up4 = Up(128, 64, bilinear)
        self.outc = OutConv(64, n_classes)

    def forward(self, x):
        x1 = self.inc(x)
        x2 = self.down1(x1)
        x3 = self.down2(x2)
        x4 = self.down3(x3)
        x5 = self.down4(x4)
        x = self.up1(x5, x4)
        x = self.up2(x, x3)
        x = self.up3(x, x2)
        x = self.up4(x, x1)
        return self.outc(x)


def build(args):
    if args.model == "unet":
        return UNet(args.in_channels or 3, args.num_classes or 1000, args.bilinear == "true")
    kwargs = {"num_classes": args.num_classes} if args.num_classes else {}
    if args.model == "inception_v3":
        kwargs["init_weights"] = True
    return getattr(tvm, args.model)(**kwargs)


def main():
    p = argparse.ArgumentParser(description="time a model in PyTorch (jtorch bench model's baseline)")
    p.add_argument("model")
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--size", type=int, nargs=2, default=[224, 224])
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--train", action="store_true")
    p.add_argument("--num-classes", type=int)
    p.add_argument("--in-channels", type=int)
    p.add_argument("--bilinear", choices=["true", "false"], default="false")
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = build(args)
    channels = next(m for m in model.modules() if isinstance(m, nn.Conv2d)).in_channels
    x = torch.randn(args.batch, channels, *args.size)
    if args.train:
        model.train()
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        labels = []

        def step():
            opt.zero_grad()
            y = model(x)
            if isinstance(y, tuple):  # Inception3's training outputs
                y = y[0]
            if y.dim() == 2:
                if not labels:
                    labels.append(torch.randint(0, y.size(1), (y.size(0),)))
                loss = F.cross_entropy(y, labels[0])
            else:
                loss = y.square().mean()
            loss.backward()
            opt.step()
    else:
        model.eval()

        def step():
            with torch.no_grad():
                model(x)

    start = time.perf_counter()
    i = 0
    while i < 3 or time.perf_counter() - start < 2.0:
        step()
        i += 1
    once = timed(step)
    runs = int(max(5, min(50, 10.0 / max(once, 1e-9))))
    ms = sorted(timed(step) * 1e3 for _ in range(runs))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"torch_model model={args.model} batch={args.batch} size={args.size[0]}x{args.size[1]} threads={args.threads} "
          f"mode={'train' if args.train else 'eval'} ms={statistics.median(ms):.2f} min_ms={ms[0]:.2f} iters={runs} "
          f"rss_peak_mb={rss:.1f} torch={torch.__version__}")


def timed(step):
    t0 = time.perf_counter()
    step()
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
