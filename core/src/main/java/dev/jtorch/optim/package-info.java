/**
 * {@code torch.optim}: {@link dev.jtorch.optim.SGD}, {@link dev.jtorch.optim.Adam},
 * {@link dev.jtorch.optim.AdamW} and {@link dev.jtorch.optim.RMSprop} over
 * {@link dev.jtorch.optim.ParamGroup}s, with PyTorch 1.13's update rules, validation messages and
 * state-dict layout; LR schedulers are in {@link dev.jtorch.optim.lr}.
 * {@snippet :
 * var opt = SGD.builder(model.parameters()).lr(0.1).momentum(0.9).weightDecay(1e-4).build();
 * var sched = new CosineAnnealingLR(opt, 90);
 * for (int epoch = 0; epoch < 90; epoch++) {
 *     for (var batch : loader) {
 *         opt.zeroGrad();
 *         lossFn.forward(model.forward(batch.input()), batch.target()).backward();
 *         opt.step();
 *     }
 *     sched.step();
 * }
 * }
 */
package dev.jtorch.optim;
