package dev.jtorch.nn;

import dev.jtorch.Tensor;

/**
 * {@code nn.DataParallel(module)}: holds the model as its child {@code module}, so that its state
 * dict keys, parameter names and printed tree gain the {@code module.} prefix exactly as
 * PyTorch's do. That is what makes it useful in jtorch: it reads and writes checkpoints of
 * scripts that trained with {@code DataParallel}.
 *
 * {@snippet :
 * var dp = new DataParallel(Models.resnet18());
 * dp.stateDict().keySet();               // [module.conv1.weight, module.bn1.weight, ...]
 * Module plain = dp.module();            // load_model = load_model.module
 * }
 *
 * <p>Forward simply runs the wrapped module: jtorch already spreads one forward over every CPU
 * core, and there is one device per backend, so nothing is replicated or scattered.
 */
public class DataParallel extends Module {

    public DataParallel(Module module) {
        if (module == null) throw new IllegalArgumentException("DataParallel needs a module to wrap");
        addModule("module", module);
    }

    /** The wrapped model ({@code dp.module}). */
    public Module module() { return child("module"); }

    @Override
    public Tensor forward(Tensor input) { return module().forward(input); }
}
