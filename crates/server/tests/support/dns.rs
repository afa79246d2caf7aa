//! A tiny DNS server for tests on 127.0.0.1 (UDP, a random port): it answers TXT queries from a
//! table the test fills, with NXDOMAIN for names it does not know and SERVFAIL for names marked as
//! failing. Messages are encoded by `hickory-proto`.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::rdata::TXT;
use hickory_proto::rr::{RData, Record, RecordType};
use tokio::net::UdpSocket;
use tokio::task::JoinHandle;

type Table = Arc<Mutex<HashMap<String, Vec<String>>>>;

/// The table entry of a name that fails.
const SERVFAIL: &str = "\u{0}servfail";

/// The running server; it stops when dropped.
pub struct TestDns {
    pub addr: SocketAddr,
    records: Table,
    task: JoinHandle<()>,
}

impl TestDns {
    pub async fn start() -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = socket.local_addr().unwrap();
        let records: Table = Arc::default();
        let table = records.clone();
        let task = tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            loop {
                let Ok((n, peer)) = socket.recv_from(&mut buf).await else {
                    continue;
                };
                let Ok(query) = Message::from_vec(&buf[..n]) else {
                    continue;
                };
                let response = answer(&query, &table);
                if let Ok(bytes) = response.to_vec() {
                    let _ = socket.send_to(&bytes, peer).await;
                }
            }
        });
        Self {
            addr,
            records,
            task,
        }
    }

    /// Answers SERVFAIL for `name` from now on.
    pub fn fail(&self, name: &str) {
        self.records
            .lock()
            .unwrap()
            .insert(name.to_ascii_lowercase(), vec![SERVFAIL.to_owned()]);
    }

    /// Serves these TXT records for `name` (replacing any before).
    pub fn set_txt(&self, name: &str, values: &[&str]) {
        self.records.lock().unwrap().insert(
            name.to_ascii_lowercase(),
            values.iter().map(|v| (*v).to_owned()).collect(),
        );
    }
}

impl Drop for TestDns {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn answer(query: &Message, table: &Table) -> Message {
    let mut response = Message::new();
    response
        .set_id(query.id())
        .set_message_type(MessageType::Response)
        .set_op_code(OpCode::Query)
        .set_authoritative(true)
        .set_recursion_desired(query.recursion_desired())
        .set_recursion_available(true);
    let table = table.lock().unwrap();
    for q in query.queries() {
        response.add_query(q.clone());
        let key = q
            .name()
            .to_ascii()
            .trim_end_matches('.')
            .to_ascii_lowercase();
        match table.get(&key) {
            Some(values) if values.iter().any(|v| v == SERVFAIL) => {
                response.set_response_code(ResponseCode::ServFail);
            }
            Some(values) if q.query_type() == RecordType::TXT => {
                for v in values {
                    response.add_answer(Record::from_rdata(
                        q.name().clone(),
                        60,
                        RData::TXT(TXT::new(vec![v.clone()])),
                    ));
                }
            }
            Some(_) => {}
            None => {
                response.set_response_code(ResponseCode::NXDomain);
            }
        }
    }
    response
}
