//! The load generator's HTTP/1.1 client: one kept-alive connection per client, a request
//! written in one call, a response read by its `Content-Length`.
//!
//! The load generator shares the machine's cores with the server it measures. A general
//! client (reqwest: URL parsing, a connection pool, a background task per connection) took
//! about a third of the two cores at 15,000 suggestions/s, time the server then waited for;
//! this one does what `wrk` does and little else.

use std::io::Write as _;
use std::net::SocketAddr;

use anyhow::{Context, Result, anyhow, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct Conn {
    addr: SocketAddr,
    /// Everything of a request before its Content-Length value.
    head: Vec<u8>,
    stream: Option<TcpStream>,
    out: Vec<u8>,
    buf: Vec<u8>,
}

/// A response: its status and body (borrowed from the connection's buffer).
pub struct Response<'a> {
    pub status: u16,
    pub body: &'a [u8],
}

impl Conn {
    /// A connection (opened at the first request) that posts to `path` on `addr` with
    /// `Authorization: Bearer <token>`.
    pub fn new(addr: SocketAddr, path: &str, token: &str) -> Conn {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: "
        );
        Conn {
            addr,
            head: head.into_bytes(),
            stream: None,
            out: Vec::with_capacity(1024),
            buf: Vec::with_capacity(16 * 1024),
        }
    }

    /// Posts `body` and reads the response. After an error the connection is dropped, and
    /// the next request opens a new one.
    pub async fn post(&mut self, body: &[u8]) -> Result<Response<'_>> {
        match self.exchange(body).await {
            Ok((status, start, end, keep)) => {
                if !keep {
                    self.stream = None;
                }
                Ok(Response {
                    status,
                    body: &self.buf[start..end],
                })
            }
            Err(e) => {
                self.stream = None;
                Err(e)
            }
        }
    }

    /// Status, body range in `buf`, and whether the connection stays open.
    async fn exchange(&mut self, body: &[u8]) -> Result<(u16, usize, usize, bool)> {
        if self.stream.is_none() {
            let stream = TcpStream::connect(self.addr)
                .await
                .with_context(|| format!("cannot connect to {}", self.addr))?;
            stream.set_nodelay(true)?;
            self.stream = Some(stream);
        }
        let stream = self
            .stream
            .as_mut()
            .ok_or_else(|| anyhow!("no connection"))?;
        self.out.clear();
        self.out.extend_from_slice(&self.head);
        write!(self.out, "{}\r\n\r\n", body.len())?;
        self.out.extend_from_slice(body);
        stream.write_all(&self.out).await?;

        self.buf.clear();
        let (status, head_len, length, keep) = loop {
            read_more(stream, &mut self.buf).await?;
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut response = httparse::Response::new(&mut headers);
            if let httparse::Status::Complete(head_len) = response.parse(&self.buf)? {
                let status = response.code.unwrap_or(0);
                let header = |name: &str| {
                    response
                        .headers
                        .iter()
                        .find(|h| h.name.eq_ignore_ascii_case(name))
                        .map(|h| String::from_utf8_lossy(h.value).trim().to_ascii_lowercase())
                };
                if header("transfer-encoding").is_some() {
                    bail!("the bench client reads Content-Length bodies only, not chunked ones");
                }
                let length: usize = header("content-length")
                    .ok_or_else(|| anyhow!("response without Content-Length"))?
                    .parse()
                    .context("bad Content-Length")?;
                let keep = header("connection").is_none_or(|v| v != "close");
                break (status, head_len, length, keep);
            }
        };
        while self.buf.len() < head_len + length {
            read_more(stream, &mut self.buf).await?;
        }
        Ok((status, head_len, head_len + length, keep))
    }
}

async fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<()> {
    buf.reserve(8 * 1024);
    if stream.read_buf(buf).await? == 0 {
        bail!("the server closed the connection");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A response in pieces, then a second one on the same connection, then one that closes.
    #[tokio::test]
    async fn reads_responses_by_length_on_one_connection() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut seen = Vec::new();
            for reply in [
                &["HTTP/1.1 200 OK\r\nContent-Le", "ngth: 5\r\n\r\nhel", "lo"][..],
                &["HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\nConnection: close\r\n\r\nno"],
            ] {
                let mut req = vec![0u8; 4096];
                let n = s.read(&mut req).await.unwrap();
                seen.push(String::from_utf8_lossy(&req[..n]).into_owned());
                for piece in reply {
                    s.write_all(piece.as_bytes()).await.unwrap();
                    s.flush().await.unwrap();
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                }
            }
            let (mut again, _) = listener.accept().await.unwrap();
            let mut req = vec![0u8; 4096];
            let n = again.read(&mut req).await.unwrap();
            again
                .write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                .await
                .unwrap();
            seen.push(String::from_utf8_lossy(&req[..n]).into_owned());
            seen
        });
        let mut conn = Conn::new(addr, "/graphql", "tok");
        let r = conn.post(b"{\"a\":1}").await.unwrap();
        assert_eq!((r.status, r.body), (200, &b"hello"[..]));
        let r = conn.post(b"{}").await.unwrap();
        assert_eq!((r.status, r.body), (400, &b"no"[..]));
        assert!(conn.stream.is_none(), "closed as the server said");
        let err = conn.post(b"{}").await.err().unwrap();
        assert!(err.to_string().contains("chunked"), "{err}");
        let seen = server.await.unwrap();
        assert!(
            seen[0].starts_with("POST /graphql HTTP/1.1\r\n")
                && seen[0].contains("Authorization: Bearer tok\r\n")
                && seen[0].ends_with("Content-Length: 7\r\n\r\n{\"a\":1}"),
            "{}",
            seen[0]
        );
        assert!(
            seen[2].ends_with("\r\n\r\n{}"),
            "a new connection after the close"
        );
    }
}
