/**
 * {@code torch.optim.lr_scheduler}: {@link dev.jtorch.optim.lr.StepLR},
 * {@link dev.jtorch.optim.lr.MultiStepLR}, {@link dev.jtorch.optim.lr.CosineAnnealingLR} (the
 * epoch-driven {@link dev.jtorch.optim.lr.LRScheduler}s) and
 * {@link dev.jtorch.optim.lr.ReduceLROnPlateau} (metric-driven). Each writes the new lr into the
 * optimizer's param groups, as PyTorch's do.
 */
package dev.jtorch.optim.lr;
