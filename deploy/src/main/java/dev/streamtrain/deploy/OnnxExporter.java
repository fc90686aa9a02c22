package dev.streamtrain.deploy;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import dev.streamtrain.core.model.ModelSnapshot;
import dev.streamtrain.core.model.ModelSpec;
import dev.streamtrain.core.model.Normalization;
import dev.streamtrain.core.wire.Tensor;
import java.util.List;

/**
 * Writes a {@link ModelSnapshot} as an ONNX model (IR 8, opset 13): the input normalization ({@code Sub}, {@code Mul}
 * with the frozen shift and scale) when the model has one, then for each layer {@code Gemm(transB=1)}, then
 * {@code BatchNormalization} (running statistics), {@code Add} for residual blocks and the activation, and the head
 * ({@code Softmax(axis=1)}, {@code Sigmoid} or {@code Identity}) (the
 * weights keep PyTorch's {@code [out, in]} layout) then the activation, and a final {@code Softmax(axis=1)}. Input
 * {@code input} is {@code float[batch, inputs]}; output {@code probabilities} is {@code float[batch, classes]}.
 */
public final class OnnxExporter {
    public static final String INPUT = "input";
    public static final String OUTPUT = "probabilities";
    private static final int OPSET = 13;
    private static final long IR_VERSION = 8;

    private OnnxExporter() {
    }

    /** Serialized ONNX model bytes. */
    public static byte[] export(ModelSnapshot snapshot, String producerVersion) {
        return export(snapshot, producerVersion, java.util.Map.of());
    }

    /**
     * Serialized ONNX model bytes with {@code metadata} as the model's metadata properties (ONNX
     * {@code ModelProto.metadata_props}; ONNX Runtime reads them as the session's custom metadata).
     */
    public static byte[] export(ModelSnapshot snapshot, String producerVersion,
            java.util.Map<String, String> metadata) {
        ModelSpec spec = snapshot.spec();
        OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder().setName("streamtrain_mlp");
        graph.addInput(valueInfo(INPUT, spec.inputs()));
        graph.addOutput(valueInfo(OUTPUT, spec.classes()));
        String current = spec.normalization().enabled() ? normalize(graph, snapshot) : INPUT;
        for (int i = 0; i < spec.layerCount(); i++) {
            String blockInput = current;
            current = gemm(graph, snapshot, i, current);
            if (i == spec.layerCount() - 1) {
                break;
            }
            if (spec.batchNorm()) {
                current = batchNorm(graph, snapshot, i, current);
            }
            if (spec.residual() && i >= 1) {
                String sum = "residual_" + i;
                graph.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Add").setName(sum).addInput(blockInput)
                        .addInput(current).addOutput(sum));
                current = sum;
            }
            String actOut = spec.activation() + "_" + i;
            graph.addNode(OnnxMl.NodeProto.newBuilder().setOpType(activationOp(spec.activation()))
                    .setName(actOut).addInput(current).addOutput(actOut));
            current = actOut; // dropout is the identity at inference
        }
        var head = OnnxMl.NodeProto.newBuilder().setName("head").addInput(current).addOutput(OUTPUT);
        switch (spec.head()) {
            case "softmax" -> head.setOpType("Softmax").addAttribute(intAttribute("axis", 1));
            case "sigmoid" -> head.setOpType("Sigmoid");
            default -> head.setOpType("Identity");
        }
        graph.addNode(head);
        var model = OnnxMl.ModelProto.newBuilder();
        new java.util.TreeMap<>(metadata).forEach((k, v) -> model.addMetadataProps(
                OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return model
                .setIrVersion(IR_VERSION)
                .setProducerName("streamtrain")
                .setProducerVersion(producerVersion)
                .setModelVersion(snapshot.updates())
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph)
                .build()
                .toByteArray();
    }

    private static String gemm(OnnxMl.GraphProto.Builder graph, ModelSnapshot snapshot, int layer, String input) {
        String w = ModelSpec.weightName(layer);
        String b = ModelSpec.biasName(layer);
        graph.addInitializer(initializer(w, snapshot.parameters().get(w)));
        graph.addInitializer(initializer(b, snapshot.parameters().get(b)));
        String out = "dense_" + layer;
        graph.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Gemm").setName("gemm_" + layer)
                .addAllInput(List.of(input, w, b)).addOutput(out).addAttribute(intAttribute("transB", 1)));
        return out;
    }

    /** {@code Mul(Sub(input, normalize.shift), normalize.scale)}: the input normalization, frozen. */
    private static String normalize(OnnxMl.GraphProto.Builder graph, ModelSnapshot snapshot) {
        for (String name : List.of(Normalization.SHIFT, Normalization.SCALE)) {
            graph.addInitializer(initializer(name, snapshot.parameters().get(name)));
        }
        graph.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Sub").setName("normalize_shift").addInput(INPUT)
                .addInput(Normalization.SHIFT).addOutput("shifted"));
        graph.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Mul").setName("normalize_scale").addInput("shifted")
                .addInput(Normalization.SCALE).addOutput("normalized"));
        return "normalized";
    }

    /** Inference-mode BatchNormalization with the running statistics (PyTorch eps). */
    private static String batchNorm(OnnxMl.GraphProto.Builder graph, ModelSnapshot snapshot, int layer, String input) {
        List<String> names = List.of(ModelSpec.normWeightName(layer), ModelSpec.normBiasName(layer),
                ModelSpec.runningMeanName(layer), ModelSpec.runningVarName(layer));
        for (String name : names) {
            graph.addInitializer(initializer(name, snapshot.parameters().get(name)));
        }
        String out = "norm_" + layer;
        var node = OnnxMl.NodeProto.newBuilder().setOpType("BatchNormalization").setName(out).addInput(input)
                .addAllInput(names).addOutput(out);
        node.addAttribute(OnnxMl.AttributeProto.newBuilder().setName("epsilon")
                .setType(OnnxMl.AttributeProto.AttributeType.FLOAT).setF((float) ModelSpec.BN_EPS));
        graph.addNode(node);
        return out;
    }

    private static String activationOp(String activation) {
        return switch (activation) {
            case "relu" -> "Relu";
            case "tanh" -> "Tanh";
            default -> throw new IllegalArgumentException("no ONNX operator for activation " + activation);
        };
    }

    private static OnnxMl.ValueInfoProto valueInfo(String name, int width) {
        var shape = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(width));
        var type = OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).setShape(shape));
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }

    private static OnnxMl.TensorProto initializer(String name, Tensor t) {
        var builder = OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber());
        for (long d : t.shape()) {
            builder.addDims(d);
        }
        // safetensors float32 bytes are already ONNX raw_data: little-endian IEEE 754
        return builder.setRawData(ByteString.copyFrom(Tensor.ofFloats(t.shape(), t.toFloats()).data())).build();
    }

    private static OnnxMl.AttributeProto intAttribute(String name, long value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INT)
                .setI(value).build();
    }
}
