"""Writes jtorch's catalog of torchvision's pretrained weights, from torchvision itself.

Run with Debian's python3 (torchvision 0.14):  /usr/bin/python3 tools/make_weights_catalog.py
Output (committed, read by dev.jtorch.models.weights.WeightsCatalog):
  models/src/main/resources/dev/jtorch/models/weights/catalog.tsv
      one line per weights entry: model, enum class, entry name, url, num_params, crop_size,
      resize_size, interpolation, mean (comma-separated), std, categories file ('-': none, as for
      VGG16's IMAGENET1K_FEATURES), acc@1, acc@5 ('nan' where torchvision has no figure),
      'default' for the entry torchvision's DEFAULT names
  models/src/main/resources/dev/jtorch/models/weights/imagenet1k.txt
      the 1000 ImageNet category names, one per line, in class-index order
Only the models jtorch has (Models.create names) are listed.
"""
import os
import torchvision
import torchvision.models as tvm

MODELS = ['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152', 'resnext50_32x4d', 'wide_resnet50_2',
          'vgg11', 'vgg11_bn', 'vgg13', 'vgg13_bn', 'vgg16', 'vgg16_bn', 'vgg19', 'vgg19_bn', 'alexnet',
          'squeezenet1_0', 'squeezenet1_1', 'densenet121', 'densenet161', 'densenet169', 'densenet201',
          'inception_v3']

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'models', 'src', 'main', 'resources', 'dev',
                   'jtorch', 'models', 'weights')


def main():
    os.makedirs(OUT, exist_ok=True)
    categories = None
    lines = ['# written by tools/make_weights_catalog.py from torchvision %s; do not edit' % torchvision.__version__,
             '# model\tenum\tname\turl\tnum_params\tcrop_size\tresize_size\tinterpolation\tmean\tstd\tcategories\tacc@1\tacc@5\tdefault']
    for model in MODELS:
        enum = tvm.get_model_weights(model)
        for w in enum:
            if w.meta.get('categories') is not None:
                if categories is None:
                    categories = list(w.meta['categories'])
                assert list(w.meta['categories']) == categories, (model, w.name)
            t = w.transforms()
            metrics = w.meta['_metrics']['ImageNet-1K']
            lines.append('\t'.join([
                model, enum.__name__, w.name, w.url, str(w.meta['num_params']), str(t.crop_size[0]),
                str(t.resize_size[0]), t.interpolation.value,
                ','.join(repr(v) for v in t.mean), ','.join(repr(v) for v in t.std),
                'imagenet1k.txt' if w.meta.get('categories') is not None else '-',
                repr(metrics['acc@1']), repr(metrics['acc@5']), 'default' if w == enum.DEFAULT else '-']))
    with open(os.path.join(OUT, 'catalog.tsv'), 'w', newline='\n') as fh:
        fh.write('\n'.join(lines) + '\n')
    with open(os.path.join(OUT, 'imagenet1k.txt'), 'w', newline='\n', encoding='utf-8') as fh:
        fh.write('\n'.join(categories) + '\n')
    print('wrote %d weights entries and %d categories to %s' % (len(lines) - 2, len(categories), os.path.normpath(OUT)))


if __name__ == '__main__':
    main()
