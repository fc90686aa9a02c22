package dev.streamtrain.ingest;

import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.Events;
import dev.streamtrain.core.events.ExternalMetric;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.common.PartitionInfo;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the external metrics topic ({@code validation.sources: [external]}): metrics computed outside the trainer,
 * e.g. once late labels arrived. Every metric of every record ({@link ExternalMetricRecords}) is published as an
 * {@link ExternalMetric} on {@link Addresses#EXTERNAL_METRICS}, in the order of the partition. A record that is not
 * such JSON is written to the dead-letter topic with reason {@value #BAD_RECORD} and the reader goes on.
 *
 * <p>Every partition of the topic is assigned explicitly; the reader has no consumer group and never commits, so
 * where it starts is only {@code start}: {@code earliest} (everything the topic holds, then what follows) or
 * {@code latest} (only records written after the reader started). The position is set once, before any record is
 * read, because a seek on the read stream drops records already fetched.
 *
 * <p>A topic that does not exist yet is looked for again every {@code lookForTopicEvery} (default 10 s); once it
 * appears it is read from its beginning, as everything in it was written after the start. Partitions added to the
 * topic later are not read.
 */
public final class ExternalMetricsVerticle extends VerticleBase {
    /** The dead-letter reason of a record that is not an external metric record. */
    public static final String BAD_RECORD = "bad_metric_record";

    private static final Logger LOG = LoggerFactory.getLogger(ExternalMetricsVerticle.class);

    private final String job;
    private final String topic;
    private final Map<String, String> consumerConfig;
    private final boolean fromEarliest;
    private final Function<Vertx, DeadLetterPublisher> deadLetterFactory;
    private DeadLetterPublisher deadLetters;
    private KafkaConsumer<byte[], byte[]> consumer;
    private long lookForTopicMillis = 10_000;
    private long lookTimer = -1;
    private volatile long metricsPublished;
    private volatile boolean stopping;

    /**
     * @param job job name (for the events)
     * @param topic the external metrics topic ({@code validation.external-topic})
     * @param consumerConfig consumer properties without a group (see {@link ConsumerSettings}); byte-array values
     * @param start {@code latest} or {@code earliest} ({@code validation.external-start})
     * @param deadLetters creates the dead-letter publisher on this verticle's Vert.x
     */
    public ExternalMetricsVerticle(String job, String topic, Map<String, String> consumerConfig, String start,
            Function<Vertx, DeadLetterPublisher> deadLetters) {
        if (!start.equals("latest") && !start.equals("earliest")) {
            throw new IllegalArgumentException("the external metrics topic is read from 'latest' or 'earliest', got '"
                    + start + "'");
        }
        this.job = job;
        this.topic = topic;
        this.consumerConfig = Map.copyOf(consumerConfig);
        this.fromEarliest = start.equals("earliest");
        this.deadLetterFactory = deadLetters;
    }

    /** Sets how often a topic that does not exist yet is looked for (before deployment; default 10 s). */
    public ExternalMetricsVerticle lookForTopicEvery(long millis) {
        this.lookForTopicMillis = millis;
        return this;
    }

    @Override
    public Future<?> start() {
        Events.registerCodecs(vertx);
        deadLetters = deadLetterFactory.apply(vertx);
        consumer = KafkaConsumer.create(vertx, consumerConfig, byte[].class, byte[].class);
        consumer.exceptionHandler(e -> {
            if (!stopping) {
                LOG.error("external metrics consumer on {} failed", topic, e);
            }
        });
        return consumer.partitionsFor(topic).compose(infos -> {
            if (!infos.isEmpty()) {
                return follow(infos, fromEarliest);
            }
            LOG.warn("external metrics topic '{}' does not exist yet; looking again every {} ms", topic,
                    lookForTopicMillis);
            lookTimer = vertx.setPeriodic(lookForTopicMillis, id -> lookForTopic());
            return Future.succeededFuture();
        });
    }

    /** Follows the topic once it exists, from its beginning. */
    private void lookForTopic() {
        if (stopping) {
            return;
        }
        consumer.partitionsFor(topic).onSuccess(infos -> {
            if (!infos.isEmpty() && !stopping && vertx.cancelTimer(lookTimer)) {
                LOG.info("external metrics topic '{}' appeared; reading it from its beginning", topic);
                follow(infos, true).onFailure(e -> LOG.error("could not follow external metrics topic '{}'", topic,
                        e));
            }
        }).onFailure(e -> LOG.warn("looking for external metrics topic '{}' failed: {}", topic, e.getMessage()));
    }

    /** Assigns every partition, positions each at its beginning or end, and only then starts reading. */
    private Future<Void> follow(List<PartitionInfo> infos, boolean fromBeginning) {
        Set<TopicPartition> tps = infos.stream().map(i -> new TopicPartition(topic, i.getPartition()))
                .collect(Collectors.toSet());
        return consumer.assign(tps)
                .compose(v -> fromBeginning ? consumer.beginningOffsets(tps) : consumer.endOffsets(tps))
                .compose(offsets -> {
                    // explicit offsets, not seekToEnd: a lazy seek would be resolved at the first poll and skip
                    // records written between start() and that poll
                    List<Future<Void>> seeks = new ArrayList<>();
                    offsets.forEach((tp, offset) -> seeks.add(consumer.seek(tp, offset)));
                    return Future.all(seeks);
                })
                .map(v -> {
                    consumer.handler(this::onRecord);
                    LOG.info("reading external metrics from {} ({} partition(s), from the {})", topic, tps.size(),
                            fromBeginning ? "beginning" : "end");
                    return null;
                });
    }

    private void onRecord(KafkaConsumerRecord<byte[], byte[]> record) {
        List<ExternalMetric> metrics;
        try {
            metrics = ExternalMetricRecords.parse(job, record.value(), System.currentTimeMillis());
        } catch (ExternalMetricRecords.BadMetricRecord e) {
            deadLetter(record, e.getMessage());
            return;
        } catch (RuntimeException e) { // never let one record stop the reader
            deadLetter(record, "unreadable: " + dev.streamtrain.core.events.Failures.describe(e));
            return;
        }
        for (ExternalMetric m : metrics) {
            vertx.eventBus().publish(Addresses.EXTERNAL_METRICS, m);
        }
        metricsPublished += metrics.size();
    }

    private void deadLetter(KafkaConsumerRecord<byte[], byte[]> record, String message) {
        deadLetters.publish(record, BAD_RECORD, message).onFailure(e -> LOG.error(
                "could not dead-letter external metrics record {}-{}@{}; it is dropped", record.topic(),
                record.partition(), record.offset(), e));
    }

    /** Metrics published so far. */
    public long metricsPublished() {
        return metricsPublished;
    }

    /** Dead-lettered records so far, by reason. */
    public Map<String, Long> deadLetteredByReason() {
        return deadLetters == null ? Map.of() : deadLetters.countsByReason();
    }

    @Override
    public Future<?> stop() {
        stopping = true;
        if (lookTimer >= 0) {
            vertx.cancelTimer(lookTimer);
        }
        Future<Void> dlq = deadLetters == null ? Future.succeededFuture() : deadLetters.close();
        return consumer == null ? dlq : Future.all(dlq, consumer.close());
    }
}
