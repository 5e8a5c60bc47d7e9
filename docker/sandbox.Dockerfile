# The local Xero sandbox: plain Python, standard library only.
FROM python:3.11-slim
WORKDIR /app
COPY xero_sandbox /app/xero_sandbox
EXPOSE 8070
CMD ["python", "-m", "xero_sandbox", "--host", "0.0.0.0", "--port", "8070"]
