package dev.streamtrain.ingest;

import dev.streamtrain.core.batch.OffsetRange;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Decodes and checks each poll's records on a thread of its own, while the consumer's next poll is already in flight.
 *
 * <p>Why: Vert.x's Kafka read stream polls again only once the previous poll's records are handled, so with decoding
 * on the event loop the consumer fetched nothing while records were decoded, and ingest ran at poll ÷ (poll + decode)
 * of a plain poll loop (0.6–0.7, bench B2). Here the event loop only hands the poll's records over; the results come
 * back on the verticle's context, in the order the records were read (one ordered worker thread).
 *
 * <p>Bounded: while {@value #MAX_POLLS_IN_FLIGHT} polls wait or are being decoded, the read stream is held
 * ({@link ReadHolds}, reason {@value #HOLD}), so read-ahead beyond the trainer's queue is at most that many polls.
 *
 * <p>A poll of one record of at most {@value #INLINE_MAX_BYTES} bytes, with nothing else being decoded, is decoded
 * right here on the context instead: a paced stream polls one record at a time, and handing each to the worker and
 * back cost two thread wake-ups per record on a machine whose cores the producer, the broker and the trainer share
 * (bench B3, freshness). Decoding one such record takes microseconds; the order read is kept, since nothing is in
 * flight.
 */
final class DecodeStage {
    /** Polls handed over and not yet decoded at most, before the read stream is held. */
    static final int MAX_POLLS_IN_FLIGHT = 2;
    static final String HOLD = "decoding";
    /** The largest single record decoded on the context (a minibatch of 32 digits rows is about 8.3 KB). */
    static final int INLINE_MAX_BYTES = 64 * 1024;
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DecodeStage.class);

    /**
     * One record with the outcome of its checks.
     *
     * @param record the record as read
     * @param route how its topic is read
     * @param outcome what {@link RecordValidator#check} said; an accepted minibatch carries its {@link ProducedAt}
     * @param startedNanos when its decoding started ({@link System#nanoTime()})
     * @param nanos how long decoding and checking took
     */
    record Decoded(KafkaConsumerRecord<byte[], ByteBuffer> record, TopicRoutes.Route route,
            RecordValidator.Outcome outcome, long startedNanos, long nanos) {
    }

    private final WorkerExecutor worker;
    private final ReadHolds holds;
    private int inFlight;
    private boolean closed;

    /**
     * @param vertx the reader's Vert.x
     * @param holds the reader's stream holds
     */
    DecodeStage(Vertx vertx, ReadHolds holds) {
        this.worker = vertx.createSharedWorkerExecutor("streamtrain-decode-" + INSTANCES.incrementAndGet(), 1);
        this.holds = holds;
    }

    /**
     * Decodes one poll's records (call on the verticle's context); {@code then} gets each, in order, on that context.
     *
     * @param records the poll's records
     * @param routes how each record's topic is read (resolved here, on the context: routes are not thread-safe)
     * @param then handles one decoded record
     */
    void submit(KafkaConsumerRecords<byte[], ByteBuffer> records, TopicRoutes routes, Consumer<Decoded> then) {
        if (closed) {
            return;
        }
        List<TopicRoutes.Route> recordRoutes = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            recordRoutes.add(routes.routeFor(records.recordAt(i).topic()));
        }
        if (inFlight == 0 && records.size() == 1
                && dev.streamtrain.core.wire.Bytes.size(records.recordAt(0).value()) <= INLINE_MAX_BYTES) {
            decode(records, recordRoutes).forEach(then);
            return;
        }
        if (++inFlight >= MAX_POLLS_IN_FLIGHT) {
            holds.hold(HOLD);
        }
        worker.executeBlocking(() -> decode(records, recordRoutes), true).onComplete(ar -> {
            inFlight--;
            if (closed) {
                return; // records not handled stay uncommitted: read again after a restart
            }
            if (inFlight < MAX_POLLS_IN_FLIGHT) {
                holds.release(HOLD);
            }
            if (ar.succeeded()) {
                ar.result().forEach(then);
            } else { // check() never throws: only the JVM failing (out of memory) gets here
                LOG.error("decoding {} records failed; they stay uncommitted", records.size(), ar.cause());
            }
        });
    }

    /** Runs on the worker thread (or, for one small record, on the context). {@link RecordValidator#check} never throws. */
    private static List<Decoded> decode(KafkaConsumerRecords<byte[], ByteBuffer> records,
            List<TopicRoutes.Route> routes) {
        List<Decoded> out = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            KafkaConsumerRecord<byte[], ByteBuffer> r = records.recordAt(i);
            long started = System.nanoTime();
            RecordValidator.Outcome outcome = routes.get(i).validator().check(r.value(),
                    OffsetRange.single(r.topic(), r.partition(), r.offset()));
            if (outcome instanceof RecordValidator.Accepted a) { // stamped here too: less work on the event loop
                outcome = new RecordValidator.Accepted(a.batch().producedAt(ProducedAt.of(r)));
            }
            out.add(new Decoded(r, routes.get(i), outcome, started, System.nanoTime() - started));
        }
        return out;
    }

    /** True while a poll's records are being decoded: polled, not yet delivered. */
    boolean busy() {
        return inFlight > 0;
    }

    /** Drops whatever is still being decoded, stops the thread, and the stream holds ({@link ReadHolds#close}). */
    void close() {
        closed = true;
        holds.close();
        worker.close();
    }
}
