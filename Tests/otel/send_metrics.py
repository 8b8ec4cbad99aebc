"""Sends one export of every OpenTelemetry instrument kind to an OTLP/HTTP endpoint with the
real Python SDK (Tests/VigilEndToEndTests/OTLPEndToEndTests.swift runs it against `vigil watch
--otlp`). Usage: send_metrics.py ENDPOINT proto|json"""
import sys

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.metrics.view import (
    ExplicitBucketHistogramAggregation,
    ExponentialBucketHistogramAggregation,
    View,
)
from opentelemetry.sdk.resources import Resource

endpoint, kind = sys.argv[1], sys.argv[2]
if kind == "proto":
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
else:
    from opentelemetry.exporter.otlp.json.http.metric_exporter import OTLPMetricExporter

exporter = OTLPMetricExporter(endpoint=endpoint + "/v1/metrics")
reader = PeriodicExportingMetricReader(exporter, export_interval_millis=3_600_000)
provider = MeterProvider(
    resource=Resource.create({"service.name": "payment", "host.name": "h1"}),
    metric_readers=[reader],
    views=[
        View(
            instrument_name="http.server.request.duration",
            aggregation=ExplicitBucketHistogramAggregation(
                boundaries=[0.1 * i for i in range(1, 11)]
            ),
        ),
        View(
            instrument_name="checkout.duration",
            aggregation=ExponentialBucketHistogramAggregation(max_size=160),
        ),
    ],
)
meter = provider.get_meter("vigil-e2e")

# A counter (cumulative, with its start time): 42 in all.
orders = meter.create_counter("orders.placed")
orders.add(40, {"channel": "web"})
orders.add(2, {"channel": "web"})
# An up-down counter: level 7.
depth = meter.create_up_down_counter("queue.depth")
depth.add(10)
depth.add(-3)
# A gauge: 0.25.
meter.create_gauge("inventory.mismatch.ratio").set(0.25)
# An explicit-bucket histogram: 0.005 .. 0.995 s, uniformly (p50 0.5).
duration = meter.create_histogram("http.server.request.duration", unit="s")
for i in range(100):
    duration.record(0.005 + 0.01 * i, {"http.route": "/pay"})
# An exponential histogram: 1 .. 1000 ms (p99 990).
checkout = meter.create_histogram("checkout.duration", unit="ms")
for v in range(1, 1001):
    checkout.record(float(v))

provider.force_flush()
provider.shutdown()
print("sent", kind)
