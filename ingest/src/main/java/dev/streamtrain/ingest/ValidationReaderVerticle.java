package dev.streamtrain.ingest;

import dev.streamtrain.core.batch.OffsetRange;
import dev.streamtrain.core.batch.ValidationSet;
import dev.streamtrain.core.wire.MiniBatchCodec;
import dev.streamtrain.core.wire.WireFormatException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.common.TopicPartition;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the validation topic from the beginning into a {@link ValidationSet} and keeps following it, so newly
 * published validation data joins later evaluations. {@code start()} completes once everything that existed at
 * start has been read: the first evaluation sees the whole validation set. It never commits offsets.
 */
public final class ValidationReaderVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(ValidationReaderVerticle.class);

    private final String topic;
    private final Map<String, String> consumerConfig;
    private final ExampleDecoders.Decoder decoder;
    private final ValidationSet validationSet;
    private RecordValidator validator;
    private java.util.function.Function<io.vertx.core.Vertx, DeadLetterPublisher> deadLetterFactory;
    private DeadLetterPublisher deadLetters;
    private final PartitionProgressTracker tracker = new PartitionProgressTracker();
    private final Promise<Void> caughtUp = Promise.promise();
    private KafkaConsumer<byte[], byte[]> consumer;

    /**
     * @param topic validation topic
     * @param consumerConfig consumer properties without a group (see {@link ConsumerSettings})
     * @param codec minibatch decoder
     * @param validationSet where the rows go
     */
    public ValidationReaderVerticle(String topic, Map<String, String> consumerConfig, MiniBatchCodec codec,
            ValidationSet validationSet) {
        this(topic, consumerConfig, codec::decode, validationSet);
    }

    /** A reader of any record format (example records join the set as one-row minibatches). */
    public ValidationReaderVerticle(String topic, Map<String, String> consumerConfig, ExampleDecoders.Decoder decoder,
            ValidationSet validationSet) {
        this.topic = topic;
        this.consumerConfig = Map.copyOf(consumerConfig);
        this.decoder = decoder;
        this.validationSet = validationSet;
    }

    /**
     * Validates every record like a training record (width, labels, non-finite policy, size) and dead-letters the bad
     * ones with reason {@code validation_<reason>}: a bad validation record can neither break an evaluation nor be
     * silently dropped.
     */
    public ValidationReaderVerticle validate(RecordValidator validator,
            java.util.function.Function<io.vertx.core.Vertx, DeadLetterPublisher> deadLetters) {
        this.validator = validator;
        this.deadLetterFactory = deadLetters;
        return this;
    }

    @Override
    public Future<?> start() {
        if (deadLetterFactory != null) {
            deadLetters = deadLetterFactory.apply(vertx);
        }
        consumer = KafkaConsumer.create(vertx, consumerConfig, byte[].class, byte[].class);
        consumer.exceptionHandler(e -> LOG.error("validation consumer on {} failed", topic, e));
        return TopicAssignment.assignAll(consumer, topic, false, tracker).compose(tps -> {
            consumer.handler(this::onRecord);
            completeIfCaughtUp();
            return caughtUp.future();
        });
    }

    private void onRecord(KafkaConsumerRecord<byte[], byte[]> record) {
        tracker.advance(new TopicPartition(record.topic(), record.partition()), record.offset());
        OffsetRange source = OffsetRange.single(record.topic(), record.partition(), record.offset());
        if (validator != null) {
            RecordValidator.Outcome outcome = validator.check(record.value(), source);
            if (outcome instanceof RecordValidator.Accepted accepted) {
                validationSet.add(accepted.batch());
            } else if (outcome instanceof RecordValidator.Rejected rejected && deadLetters != null) {
                deadLetters.publish(record, "validation_" + rejected.reason(), rejected.message());
            }
            completeIfCaughtUp();
            return;
        }
        try {
            validationSet.add(decoder.decode(record.value(), source));
        } catch (ExampleDecoders.NotAnExample e) {
            LOG.debug("validation record {}-{}@{} is not data: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
        } catch (WireFormatException | IllegalArgumentException e) {
            LOG.warn("skipping undecodable validation record {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
        }
        completeIfCaughtUp();
    }

    private void completeIfCaughtUp() {
        if (tracker.reachedEnd()) {
            caughtUp.tryComplete();
        }
    }

    @Override
    public Future<?> stop() {
        Future<?> closed = consumer == null ? Future.succeededFuture() : consumer.close();
        return deadLetters == null ? closed : closed.eventually(deadLetters::close);
    }
}
