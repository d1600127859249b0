#!/usr/bin/python3
"""The `jtorch finetune` recipe in PyTorch, for the side-by-side accuracy and time comparison.

usage: /usr/bin/python3 bench/finetune_torch.py --data DIR [--model resnet18] [--num-classes 10]
           [--epochs 2] [--batch 64] [--lr 0.001] [--optimizer adam|sgd|rmsprop] [--limit N]
           [--val-limit N] [--image-size S] [--threads 2] [--seed 0] [--out OUT.pth]
       /usr/bin/python3 bench/finetune_torch.py --data DIR --evaluate OUT.pth [--num-classes 10] [--val-limit N]

DIR holds MNIST-style idx files (train-*, t10k-*, gzipped or not), e.g. Debian's
/usr/share/datasets/fashion-mnist. What it does is what `jtorch finetune` does on such a directory:
  - data: the first --limit training images (train-*), validation on the first --val-limit test
    images (t10k-*); each image as a PIL 'L' image through [Resize(S), CenterCrop(S)] when
    --image-size is given, Grayscale(num_output_channels=3), ToTensor, Normalize(ImageNet mean/std);
  - model: torchvision's MODEL with PyTorch's random initialisation, `fc` replaced by
    nn.Linear(in_features, num_classes);
  - training: shuffled batches, cross-entropy, Adam(lr) / SGD(lr, momentum=0.9) / RMSprop(lr),
    model.train() for training and model.eval() + no_grad for validation after every epoch.
With --evaluate, it only loads a state dict (e.g. the one `jtorch finetune` wrote) strictly into
MODEL(num_classes=N) and prints its validation accuracy: the cross-check that PyTorch reads jtorch's
checkpoint and computes the accuracy jtorch reported.
The random streams differ from jtorch's (initial weights, shuffle order), so the curves agree in
distribution, not number for number. Prints one line per epoch and a final summary line.
"""
import argparse
import gzip
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torchvision.models as tvm
import torchvision.transforms as T
from PIL import Image


def read_idx(path):
    opener = gzip.open if open(path, 'rb').read(2) == b'\x1f\x8b' else open
    with opener(path, 'rb') as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack('>HBB', data[:4])
    assert zero == 0 and dtype == 8, path + ': not an unsigned-byte idx file'
    dims = struct.unpack('>' + 'I' * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find(directory, stem, kind):
    for sep in ('-', '.'):
        for gz in ('', '.gz'):
            p = os.path.join(directory, stem + sep + kind + gz)
            if os.path.isfile(p):
                return p
    raise FileNotFoundError('no %s file in %s' % (stem, directory))


class IdxDataset(torch.utils.data.Dataset):
    def __init__(self, directory, split, transform, limit=None):
        self.images = read_idx(find(directory, split + '-images', 'idx3-ubyte'))
        self.labels = read_idx(find(directory, split + '-labels', 'idx1-ubyte'))
        if limit is not None:
            self.images, self.labels = self.images[:limit], self.labels[:limit]
        self.transform = transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.transform(Image.fromarray(self.images[i], mode='L')), int(self.labels[i])


def evaluate(model, loader, criterion):
    model.eval()
    seen = correct = 0
    loss = 0.0
    with torch.no_grad():
        for x, y in loader:
            out = model(x)
            loss += criterion(out, y).item() * len(y)
            correct += (out.argmax(1) == y).sum().item()
            seen += len(y)
    return loss, correct, seen


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True)
    ap.add_argument('--model', default='resnet18')
    ap.add_argument('--num-classes', type=int, default=10)
    ap.add_argument('--epochs', type=int, default=2)
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--lr', type=float, default=0.001)
    ap.add_argument('--optimizer', default='adam', choices=['adam', 'sgd', 'rmsprop'])
    ap.add_argument('--limit', type=int)
    ap.add_argument('--val-limit', type=int)
    ap.add_argument('--image-size', type=int)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--out')
    ap.add_argument('--evaluate', metavar='OUT.pth')
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    steps = []
    if a.image_size:
        steps += [T.Resize(a.image_size), T.CenterCrop(a.image_size)]
    steps += [T.Grayscale(num_output_channels=3), T.ToTensor(),
              T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])]
    transform = T.Compose(steps)
    train = IdxDataset(a.data, 'train', transform, a.limit)
    val = IdxDataset(a.data, 't10k', transform, a.val_limit)
    g = torch.Generator().manual_seed(a.seed)
    train_loader = torch.utils.data.DataLoader(train, batch_size=a.batch, shuffle=True, generator=g)
    val_loader = torch.utils.data.DataLoader(val, batch_size=a.batch)

    criterion = nn.CrossEntropyLoss()
    if a.evaluate:
        model = getattr(tvm, a.model)(num_classes=a.num_classes)
        model.load_state_dict(torch.load(a.evaluate, weights_only=True), strict=True)
        t0 = time.time()
        vloss, vcorrect, vseen = evaluate(model, val_loader, criterion)
        print('%s loaded strictly into torchvision %s(num_classes=%d): validation loss %.4f acc %.2f%% (%d/%d), %.1f s'
              % (a.evaluate, a.model, a.num_classes, vloss / vseen, 100 * vcorrect / vseen, vcorrect, vseen, time.time() - t0))
        return

    model = getattr(tvm, a.model)()
    model.fc = nn.Linear(model.fc.in_features, a.num_classes)
    params = [p for p in model.parameters() if p.requires_grad]
    if a.optimizer == 'adam':
        opt = torch.optim.Adam(params, lr=a.lr)
    elif a.optimizer == 'sgd':
        opt = torch.optim.SGD(params, lr=a.lr, momentum=0.9)
    else:
        opt = torch.optim.RMSprop(params, lr=a.lr)
    print('torch %s, %d threads: %s, %d training and %d validation images, %s lr=%g batch %d'
          % (torch.__version__, torch.get_num_threads(), a.model, len(train), len(val), a.optimizer, a.lr, a.batch), flush=True)

    start = time.time()
    acc = 0.0
    for epoch in range(1, a.epochs + 1):
        t0 = time.time()
        model.train()
        seen = correct = 0
        loss_sum = 0.0
        for x, y in train_loader:
            out = model(x)
            loss = criterion(out, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            seen += len(y)
            correct += (out.argmax(1) == y).sum().item()
            loss_sum += loss.item() * len(y)
        train_s = time.time() - t0
        vloss, vcorrect, vseen = evaluate(model, val_loader, criterion)
        acc = vcorrect / vseen
        print('epoch %d/%d: train loss %.4f acc %.2f%% (%.0f img/s), validation loss %.4f acc %.2f%% (%d/%d), %.1f s'
              % (epoch, a.epochs, loss_sum / seen, 100 * correct / seen, seen / train_s, vloss / vseen, 100 * acc,
                 vcorrect, vseen, time.time() - t0), flush=True)
    total = time.time() - start
    if a.out:
        torch.save(model.state_dict(), a.out)
    print('validation accuracy %.2f%% after %d epoch(s), %.1f s in all' % (100 * acc, a.epochs, total))


if __name__ == '__main__':
    main()
