package dev.streamtrain.trainer.tricks;

import ai.djl.Device;
import ai.djl.engine.Engine;

/** Chooses the training device from {@code tricks.device}. */
public final class Devices {
    private Devices() {
    }

    /**
     * @param choice auto (a GPU when DJL's PyTorch engine sees one, else the CPU), cpu, or gpu
     * @throws IllegalStateException for gpu when no CUDA device or no CUDA natives are present, saying how to
     *     supply them
     */
    public static Device select(String choice) {
        int gpus = Engine.getInstance().getGpuCount();
        return switch (choice) {
            case "cpu" -> Device.cpu();
            case "auto" -> gpus > 0 ? Device.gpu() : Device.cpu();
            case "gpu" -> {
                if (gpus == 0) {
                    throw new IllegalStateException("tricks.device is gpu, but DJL's PyTorch engine sees no CUDA"
                            + " device (engine " + Engine.getInstance().getEngineName() + " "
                            + Engine.getInstance().getVersion() + ", CPU natives). Run on a machine with an NVIDIA"
                            + " GPU and driver, and supply CUDA natives: online, DJL downloads the cu128 natives for"
                            + " PyTorch 2.7.1 itself (without ai.djl.offline=true); offline, point"
                            + " PYTORCH_LIBRARY_PATH at a libtorch 2.7.1+cu128 (e.g. a matching PyTorch wheel's"
                            + " torch/lib) with PYTORCH_VERSION=2.7.1 PYTORCH_FLAVOR=cu128. Or use device: auto"
                            + " or cpu.");
                }
                yield Device.gpu();
            }
            default -> throw new IllegalArgumentException("device must be auto, cpu or gpu, got " + choice);
        };
    }
}
