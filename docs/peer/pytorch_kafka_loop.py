"""The loop a user would write instead: kafka-python + PyTorch 1.13, MLP 64-128-10, SGD momentum 0.9, one thread.
Reads safetensors minibatch records (x: f32 [n,64], y: i64 [n]) from a topic; prints samples/s from Kafka and in memory."""
import json, struct, sys, time
import numpy as np
import torch
from kafka import KafkaConsumer, TopicPartition

servers, topic, records = sys.argv[1], sys.argv[2], int(sys.argv[3])
torch.set_num_threads(1)
torch.manual_seed(42)

def decode(v):
    n = struct.unpack('<Q', v[:8])[0]
    header = json.loads(v[8:8 + n])
    data = v[8 + n:]
    def t(name, dtype):
        h = header[name]
        a, b = h['data_offsets']
        return np.frombuffer(data[a:b], dtype=dtype).reshape(h['shape'])
    return torch.from_numpy(t('x', np.float32).copy()), torch.from_numpy(t('y', np.int64).copy())

def model():
    m = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    return m, torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9), torch.nn.CrossEntropyLoss()

def step(m, opt, loss_fn, x, y):
    opt.zero_grad()
    loss = loss_fn(m(x), y)
    loss.backward()
    opt.step()

consumer = KafkaConsumer(bootstrap_servers=servers, enable_auto_commit=False, auto_offset_reset='earliest',
                         max_partition_fetch_bytes=16 * 1024 * 1024, fetch_max_bytes=64 * 1024 * 1024)
tp = TopicPartition(topic, 0)
consumer.assign([tp])
consumer.seek_to_beginning(tp)
m, opt, loss_fn = model()
seen = samples = 0
batches = []
first = None
while seen < records:
    for recs in consumer.poll(timeout_ms=100).values():
        for r in recs:
            x, y = decode(r.value)
            if first is None:
                first = time.perf_counter()
            step(m, opt, loss_fn, x, y)
            seen += 1
            samples += len(y)
            if len(batches) < 20000:
                batches.append((x, y))
kafka_rate = samples / (time.perf_counter() - first)
m, opt, loss_fn = model()
start = time.perf_counter()
n = 0
for x, y in batches:
    step(m, opt, loss_fn, x, y)
    n += len(y)
memory_rate = n / (time.perf_counter() - start)
print(json.dumps({"kafka_samples_per_s": kafka_rate, "memory_samples_per_s": memory_rate, "records": seen}))
