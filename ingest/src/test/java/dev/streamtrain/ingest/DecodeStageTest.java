package dev.streamtrain.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.wire.MiniBatchCodec;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.consumer.impl.KafkaConsumerRecordsImpl;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class DecodeStageTest {
    private static final MiniBatchCodec CODEC = MiniBatchCodec.standard();

    /**
     * One poll of {@code n} records of topic t, partition 0, from {@code from}; record i has label i % 4. Each value is
     * a view into a larger array, as Kafka's ByteBufferDeserializer hands over a slice of its fetch buffer.
     */
    private static KafkaConsumerRecordsImpl<byte[], ByteBuffer> poll(long from, int n) {
        List<ConsumerRecord<byte[], ByteBuffer>> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long offset = from + i;
            byte[] value = CODEC.encode(1, 3, new float[] {offset, 0, 0}, new long[] {offset % 4});
            byte[] fetched = new byte[7 + value.length + 5];
            System.arraycopy(value, 0, fetched, 7, value.length);
            records.add(new ConsumerRecord<>("t", 0, offset, null, ByteBuffer.wrap(fetched, 7, value.length)));
        }
        return new KafkaConsumerRecordsImpl<>(new ConsumerRecords<>(Map.of(new TopicPartition("t", 0), records)));
    }

    @Test
    void holdsTheStreamWhilePollsWaitAndHandsRecordsBackInOrderOnTheContext() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            CountDownLatch gate = new CountDownLatch(1);
            AtomicInteger decodedCount = new AtomicInteger();
            RecordValidator slow = new RecordValidator((value, source) -> {
                try {
                    gate.await(); // the first poll's decoding waits until the test has submitted all three
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                decodedCount.incrementAndGet();
                return new dev.streamtrain.core.wire.MiniBatchDecoder(CODEC).decode(value, source);
            }, new RecordValidator.Expectation(3, 4, "softmax", "reject", 5, 1 << 20));
            TopicRoutes routes = TopicRoutes.single("t", slow, false);
            List<String> events = new ArrayList<>();
            List<Long> offsets = new ArrayList<>();
            CompletableFuture<Thread> context = new CompletableFuture<>();
            CompletableFuture<Void> all = new CompletableFuture<>();
            List<Boolean> heldAfterSubmits = new ArrayList<>();
            vertx.runOnContext(v -> {
                context.complete(Thread.currentThread());
                ReadHolds holds = new ReadHolds(() -> events.add("pause"), () -> events.add("resume"));
                DecodeStage stage = new DecodeStage(vertx, holds);
                for (int p = 0; p < 3; p++) {
                    stage.submit(poll(p * 5L, 5), routes, d -> {
                        assertEquals(context.join(), Thread.currentThread(), "results come back on the context");
                        assertInstanceOf(RecordValidator.Accepted.class, d.outcome());
                        offsets.add(d.record().offset());
                        if (offsets.size() == 15) {
                            all.complete(null);
                        }
                    });
                    heldAfterSubmits.add(holds.held());
                }
                gate.countDown();
            });
            all.get(30, TimeUnit.SECONDS);
            assertEquals(List.of(false, true, true), heldAfterSubmits,
                    DecodeStage.MAX_POLLS_IN_FLIGHT + " polls waiting hold the read stream");
            assertEquals(List.of("pause", "resume"), events, "held once, released once all but one are decoded");
            assertEquals(java.util.stream.LongStream.range(0, 15).boxed().toList(), offsets, "in the order read");
            assertEquals(15, decodedCount.get());
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    /**
     * A poll of one small record with nothing being decoded is decoded on the context, before submit returns (a paced
     * stream saves two thread hand-offs per record); one arriving while a poll is being decoded waits its turn on the
     * worker, so the order read holds.
     */
    @Test
    void aLoneSmallRecordIsDecodedOnTheContextUnlessAPollIsInFlight() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            CountDownLatch gate = new CountDownLatch(1);
            Set<Thread> decodedOn = java.util.concurrent.ConcurrentHashMap.newKeySet();
            RecordValidator gated = new RecordValidator((value, source) -> {
                decodedOn.add(Thread.currentThread());
                if (source.from() == 1) {
                    try {
                        gate.await(); // the second poll is being decoded while the third arrives
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return new dev.streamtrain.core.wire.MiniBatchDecoder(CODEC).decode(value, source);
            }, new RecordValidator.Expectation(3, 4, "softmax", "reject", 5, 1 << 20));
            TopicRoutes routes = TopicRoutes.single("t", gated, false);
            List<Long> offsets = java.util.Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<Thread> context = new CompletableFuture<>();
            CompletableFuture<List<Long>> beforeReturn = new CompletableFuture<>();
            CompletableFuture<Void> all = new CompletableFuture<>();
            vertx.runOnContext(v -> {
                context.complete(Thread.currentThread());
                DecodeStage stage = new DecodeStage(vertx, new ReadHolds(() -> { }, () -> { }));
                java.util.function.Consumer<DecodeStage.Decoded> then = d -> {
                    offsets.add(d.record().offset());
                    if (offsets.size() == 4) {
                        all.complete(null);
                    }
                };
                stage.submit(poll(0, 1), routes, then); // alone: decoded here
                beforeReturn.complete(List.copyOf(offsets));
                stage.submit(poll(1, 2), routes, then); // two records: the worker, held at the gate
                stage.submit(poll(3, 1), routes, then); // alone, yet behind a poll in flight: the worker too
                gate.countDown();
            });
            all.get(30, TimeUnit.SECONDS);
            assertEquals(List.of(0L), beforeReturn.get(), "the lone record was handed back before submit returned");
            assertEquals(List.of(0L, 1L, 2L, 3L), offsets, "in the order read");
            assertTrue(decodedOn.contains(context.join()), "decoded on the context");
            assertEquals(2, decodedOn.size(), "and on the worker");
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void readHoldsPauseOnceAndResumeOnlyWhenNoReasonHoldsAndNeverAfterClose() {
        List<String> calls = new ArrayList<>();
        ReadHolds holds = new ReadHolds(() -> calls.add("pause"), () -> calls.add("resume"));
        holds.hold("dead-letter backlog");
        holds.hold(DecodeStage.HOLD);
        holds.hold(DecodeStage.HOLD);
        holds.release("dead-letter backlog");
        assertTrue(holds.held(), "decoding still holds it");
        assertEquals(List.of("pause"), calls);
        holds.release(DecodeStage.HOLD);
        assertEquals(List.of("pause", "resume"), calls);
        holds.release(DecodeStage.HOLD);
        assertEquals(List.of("pause", "resume"), calls, "releasing what nothing holds does nothing");
        holds.hold("x");
        holds.close();
        holds.release("x");
        assertFalse(holds.held());
        assertEquals(List.of("pause", "resume", "pause"), calls, "no consumer call after close");
    }
}
