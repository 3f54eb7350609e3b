//! End-to-end: the private brokers of the integration tests start on 127.0.0.1, accept
//! a connection, and are gone (by PID) once their fixture is dropped. Needs
//! `rabbitmq-server` and `tansu` (see `tests/common`); fails, never skips, without them.

use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use crate::common::kafka::Kafka;
use crate::common::rabbitmq::RabbitMq;

fn accepts(port: u16) -> bool {
    TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_secs(2)).is_ok()
}

fn process_alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| {
            stat.rsplit_once(')')
                .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z'))
        })
        .unwrap_or(false)
}

#[test]
fn rabbitmq_starts_accepts_and_stops() {
    let rabbit = RabbitMq::start();
    eprintln!("RabbitMQ answered AMQP after {:?}", rabbit.startup);
    let port = rabbit.port;
    assert!(accepts(port));
    assert!(rabbit.url().starts_with("amqp://guest:guest@127.0.0.1:"));
    let dir = rabbit.dir().to_path_buf();
    let vm: u32 = std::fs::read_to_string(dir.join("rabbit.pid"))
        .expect("the node wrote its PID file")
        .trim()
        .parse()
        .expect("a PID");
    assert!(process_alive(vm));
    drop(rabbit);
    assert!(
        !process_alive(vm),
        "the Erlang VM {vm} outlived the fixture"
    );
    assert!(!accepts(port), "port {port} still accepts connections");
    assert!(
        !Path::new(&dir).exists(),
        "the node directory was not removed"
    );
}

#[test]
fn kafka_starts_accepts_and_stops() {
    let kafka = Kafka::start();
    eprintln!("tansu answered ApiVersions after {:?}", kafka.startup);
    let port = kafka.port;
    assert!(accepts(port));
    assert_eq!(kafka.bootstrap(), format!("127.0.0.1:{port}"));
    let pid = kafka.pid();
    drop(kafka);
    assert!(!process_alive(pid), "tansu {pid} outlived the fixture");
    assert!(!accepts(port), "port {port} still accepts connections");
}
