//! End-to-end: the Redis fixture starts a private `redis-server` on 127.0.0.1, answers
//! PING, and is gone (process and directory) once dropped.

use crate::common::redis::Redis;

#[test]
fn a_private_redis_server_answers_and_is_stopped_when_dropped() {
    let redis = Redis::start();
    assert_eq!(redis.command("PING").unwrap(), "+PONG");
    assert_eq!(redis.command("SET polepos:smoke 1").unwrap(), "+OK");
    assert_eq!(redis.command("DBSIZE").unwrap(), ":1");
    assert_eq!(redis.url(2), format!("redis://127.0.0.1:{}/2", redis.port));
    let (port, pid, dir) = (redis.port, redis.pid(), redis.dir().to_path_buf());
    assert!(
        redis.log().contains("Ready to accept connections"),
        "{}",
        redis.log()
    );

    drop(redis);

    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "nothing listens on the port any more"
    );
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "the server process is gone"
    );
    assert!(!dir.exists(), "the server's directory is removed");
}
