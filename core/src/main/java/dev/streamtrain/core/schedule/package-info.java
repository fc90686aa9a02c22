/**
 * Learning-rate (and momentum) schedules: PyTorch's schedulers as pure functions of a step count, with PyTorch's
 * names, argument names, defaults and semantics, plus native additions; ReduceLROnPlateau as a pure state
 * transition that composes with any of them; and the parser of schedule specs used by job files and
 * {@code streamtrain schedule}.
 */
package dev.streamtrain.core.schedule;
