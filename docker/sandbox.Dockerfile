# The local Xero sandbox: plain Python, and cryptography to make its local CA
# (Xero's identity and API hosts are https only, and so are the sandbox's).
FROM python:3.11-slim
WORKDIR /app
RUN pip install --no-cache-dir "cryptography>=3.4"
COPY xero_sandbox /app/xero_sandbox
EXPOSE 8070 8071
CMD ["python", "-m", "xero_sandbox", "--host", "0.0.0.0", "--port", "8070", "--browser-port", "8071", "--tls-dir", "/ca"]
